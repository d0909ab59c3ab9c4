"""One line of a home page's to-do (待办事项): what waits, how many, and the address of exactly
the list the count is taken from (its filters in the query string)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class TodoLine:
    label: str
    count: int
    url: str
    tone: str = ""  # "" or a risk level (high, medium, low), for the colour


@dataclass(frozen=True)
class KeyFigure:
    """A figure of the user's subtree (a rate, a count) and the report it comes from."""

    label: str
    value: str
    url: str
    tone: str = ""
