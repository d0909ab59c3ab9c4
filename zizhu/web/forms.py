"""The form renderer: Django's, with the commonest templates written here as Django's own
templates write them: a plain `<select>` (no option groups), the `<input>` widgets, a
field's label, an empty error list and a form as paragraphs (`as_p`). A filter form's
selects went through a template per select and one more per option (the rules, the months):
~1 ms of a findings page's ~8 ms of CPU; the allocation form (a select of ~80 schools, four
amounts) spent ~4 ms of a county's ~21 ms allocation page in the paragraphs' template loop,
its labels and its empty error lists. Any other template, or a select with option groups,
renders through the templates as before (this renderer's engine finds Django's own form
templates first: no app overrides them)."""

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
# the widgets whose template is only `{% include "django/forms/widgets/input.html" %}`
INPUTS = {
    f"django/forms/widgets/{name}.html"
    for name in ("checkbox", "color", "date", "datetime", "email", "file", "hidden")
    + ("number", "password", "search", "tel", "text", "time", "url")
}
LABEL = "django/forms/label.html"
ERRORS = {"django/forms/errors/list/default.html", "django/forms/errors/list/ul.html"}
PARAGRAPHS = "django/forms/p.html"


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`: the value as text, escaped unless already safe."""
    return conditional_escape(value if isinstance(value, SafeData) else str(value))


def _attrs(attrs: dict) -> str:
    """attrs.html: ` name="value"`, a True value as the bare name, a False one left out."""
    return "".join(
        f" {conditional_escape(name)}" + ("" if value is True else f'="{_formatted(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name in INPUTS:
            return input_html(context["widget"])
        if template_name == SELECT and (html := select_html(context["widget"])) is not None:
            return html
        if template_name == LABEL:
            return label_html(context)
        if template_name in ERRORS and not context["errors"]:
            return ""
        if template_name == PARAGRAPHS:
            return paragraphs_html(context)
        return super().render(template_name, context, request)


def _shown(value) -> str:
    """`{{ value }}`: localised, then escaped unless safe."""
    return render_value_in_context(value, Context())


def input_html(widget: dict) -> str:
    """input.html (each input widget's template includes it, then ends its line; the
    renderer strips that)."""
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    kind, name = conditional_escape(widget["type"]), conditional_escape(widget["name"])
    return f'<input type="{kind}" name="{name}"{value}{_attrs(widget["attrs"])}>'


def label_html(context: dict) -> str:
    """label.html: the label in its tag, or the label alone."""
    label = _shown(context["label"])
    if not context["use_tag"]:
        return label
    tag = conditional_escape(context["tag"])
    return f"<{tag}{_attrs(context['attrs'] or {})}>{label}</{tag}>"


def paragraphs_html(context: dict) -> str:
    """p.html, line for line (its blank lines included: the renderer strips only the ends)."""
    errors, fields = context["errors"], context["fields"]
    hidden = "".join(_shown(field) for field in context["hidden_fields"])
    parts = [_shown(errors), "\n"]
    if errors and not fields:
        parts.append(f"\n  <p>{hidden}</p>\n")
    parts.append("\n")
    for number, (field, field_errors) in enumerate(fields, start=1):
        classes = field.css_classes()
        shown_classes = f' class="{_shown(classes)}"' if classes else ""
        label = _shown(field.label_tag()) if field.label else ""
        parts.append(f"\n  {_shown(field_errors)}\n  <p{shown_classes}>\n    {label}")
        parts.append(f"\n    {_shown(field)}\n    ")
        if field.help_text:
            at = f' id="{_shown(field.auto_id)}_helptext"' if field.auto_id else ""
            # the template's `|safe`: help texts are the product's own text, not the user's
            help_text = mark_safe(str(field.help_text))  # noqa: S308
            parts.append(f'\n      <span class="helptext"{at}>{_shown(help_text)}</span>\n    ')
        parts.append("\n    ")
        if number == len(fields):
            parts.append(f"\n      {hidden}\n    ")
        parts.append("\n  </p>\n")
    parts.append("\n")
    if not fields and not errors:
        parts.append(f"\n  {hidden}\n")
    parts.append("\n")
    return "".join(parts).strip()


def select_html(widget: dict) -> str | None:
    """select.html with select_option.html per option, stripped as the renderer strips a
    template's output; None for a select this does not write (option groups, other
    option templates)."""
    options = []
    context = Context()  # `{{ widget.label }}`: localised, then escaped
    for group_name, group, _index in widget["optgroups"]:
        if group_name:
            return None
        for option in group:
            if option["template_name"] != OPTION:
                return None
            value = _formatted(option["value"])
            label = render_value_in_context(option["label"], context)
            attrs = _attrs(option["attrs"])
            options.append(f'\n  <option value="{value}"{attrs}>{label}</option>\n')
    name = conditional_escape(widget["name"])
    return f'<select name="{name}"{_attrs(widget["attrs"])}>{"".join(options)}\n</select>'
