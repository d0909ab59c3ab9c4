"""The product's number formats as template filters, available in every template (settings:
builtins): `{{ amount|yuan }}` → 345,726,800.00 元, `{{ share|percent }}` → 87.5%,
`{{ value|cell }}` for a report cell (zizhu.lib.formats)."""

from django import template

from zizhu.lib import formats

register = template.Library()
register.filter("yuan", formats.yuan)
register.filter("percent", formats.percent)
register.filter("cell", formats.cell)
register.filter("seconds", formats.seconds)
