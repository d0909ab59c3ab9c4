"""The form renderer: Django's, with a plain `<select>` (no option groups) written here as
Django's own templates write it. A filter form's selects went through a template per select
and one more per option (the rules, the months): ~1 ms of a findings page's ~8 ms of CPU.
Any other widget, or a select with option groups, renders through the templates as before
(this renderer's engine finds Django's own form templates first: no app overrides them)."""

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


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
        if template_name == SELECT and (html := select_html(context["widget"])) is not None:
            return html
        return super().render(template_name, context, request)


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
