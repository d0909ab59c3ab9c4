"""The home page's to-do (待办事项) and key figures, gathered from each domain's own lines: the
web shell only puts them together, in the order a user works through them."""

from zizhu.access import Action, can
from zizhu.anomalies.todo import anomalies_todo, open_high_risk
from zizhu.fundreports.todo import key_figures as report_figures
from zizhu.fundreports.todo import overdue_children, shows_key_figures
from zizhu.funds.todo import funds_todo
from zizhu.lib.todo import KeyFigure, TodoLine
from zizhu.recipients.todo import recipients_todo


def todo_lines(user) -> list[TodoLine]:
    """Every to-do line of a business user, each a count linking to the list it counts."""
    if not can(user, Action.VIEW):
        return []
    return [
        *funds_todo(user),
        *recipients_todo(user),
        *anomalies_todo(user),
        *overdue_children(user),
    ]


def key_figures(user) -> list[KeyFigure]:
    """The key figures of a supervisor's or centre leader's subtree."""
    if not shows_key_figures(user):
        return []
    return [*report_figures(user), *open_high_risk(user)]
