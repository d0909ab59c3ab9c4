"""The internal codes no page or export may show: every choice value of the product's models
(and the choice classes beside them), the register and counterpart kinds, project codes."""

import inspect
import re

from django.apps import apps
from django.db import models

from zizhu.anomalies.selectors import COUNTERPART_KINDS

WORD = re.compile(r"[a-z][a-z_]{2,}")


def choice_classes() -> list[type[models.Choices]]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("zizhu."):
            continue
        for module_name in ("models", "roles"):
            try:
                module = __import__(f"{config.name}.{module_name}", fromlist=["*"])
            except ImportError:
                continue
            found += [
                obj
                for _name, obj in inspect.getmembers(module, inspect.isclass)
                if issubclass(obj, models.Choices) and obj.__module__ == module.__name__
            ]
    return found


def known_codes() -> set[str]:
    """Lower-case codes of three letters or more (numbers and short codes would be noise)."""
    from zizhu.catalogue.models import AidProject

    values = {str(v) for cls in choice_classes() for v in cls.values}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or []:
                values.add(str(value))
    values |= set(COUNTERPART_KINDS)
    values |= set(AidProject.objects.values_list("code", flat=True))
    return {v for v in values if WORD.fullmatch(v)}
