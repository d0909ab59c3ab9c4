from django import template

from zizhu.anomalies.selectors import todo_for

register = template.Library()


@register.inclusion_tag("anomalies/_todo.html", takes_context=True)
def anomaly_todo(context):
    """A school user's to-do items: open findings of the latest month per risk and rule."""
    return {"todo": todo_for(context["user"])}
