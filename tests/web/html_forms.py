"""The forms of a rendered page, read as a browser would submit them (standard library only).

`forms_of(html)` gives every <form> with its attributes and the data a browser sends when the
user changes nothing: text-like inputs with their value, checked boxes and radios, each select's
selected options (the first option when none is selected), textareas; file inputs send
nothing. Values are lists, as `QueryDict` keeps them.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser

SKIPPED_INPUTS = {"submit", "button", "reset", "image", "file"}


@dataclass
class Form:
    attrs: dict
    data: dict[str, list[str]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # names of the file inputs

    def add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    @property
    def testid(self) -> str:
        return self.attrs.get("data-testid", "")

    def post_data(self) -> dict:
        """The data for Django's test client: single values as strings, repeated as lists."""
        return {k: v[0] if len(v) == 1 else v for k, v in self.data.items()}


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: tuple[str, bool, list, list] | None = None  # name, multiple, options, chosen
        self.option: list | None = None  # [value or None, text, selected]
        self.textarea: list | None = None  # [name, text]

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.form = Form(a)
            self.forms.append(self.form)
        if self.form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind == "file":
                self.form.files.append(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.form.add(name, a.get("value", "on"))
            elif kind not in SKIPPED_INPUTS:
                self.form.add(name, a.get("value", ""))
        elif tag == "select" and name:
            self.select = (name, "multiple" in a, [], [])
        elif tag == "option" and self.select is not None:
            self.option = [a.get("value"), "", "selected" in a]
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.option is not None:
            self.option[1] += data
        if self.textarea is not None:
            self.textarea[1] += data

    def _close_option(self):
        if self.option is not None and self.select is not None:
            value, text, selected = self.option
            value = text.strip() if value is None else value
            self.select[2].append(value)
            if selected:
                self.select[3].append(value)
        self.option = None

    def handle_endtag(self, tag):
        if tag == "option":
            self._close_option()
        elif tag == "select" and self.select is not None:
            self._close_option()
            name, multiple, options, chosen = self.select
            if not chosen and not multiple and options:
                chosen = options[:1]
            for value in chosen if multiple else chosen[-1:]:
                self.form.add(name, value)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            # a browser drops the one newline that may follow <textarea> (Django writes one)
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):
                text = text[1:]
            self.form.add(name, text)
            self.textarea = None
        elif tag == "form":
            self.form = None


def forms_of(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.forms


def form_with(html: str, *, testid: str = "", field_name: str = "") -> Form:
    """The one form with that data-testid, or the first one holding a field of that name."""
    for form in forms_of(html):
        if testid and form.testid == testid:
            return form
        if field_name and (field_name in form.data or field_name in form.files):
            return form
    raise AssertionError(f"no form with testid={testid!r} field={field_name!r}")
