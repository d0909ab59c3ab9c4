"""One-time form keys: a money-moving form is written at most once (docs/adr/0009).

Each such form carries a hidden random key issued when the form is rendered unbound
(`OneTimeKeyForm`; a form re-rendered with errors keeps the key it was posted with). The row
the form creates stores the key in a column with a UNIQUE constraint. A second POST of the
same form (a double click, a resent page, two requests racing) finds the row the first one
wrote and writes nothing.

The services look the key up after taking their row locks (a racing twin waits on the locks,
then sees the committed row) and insert the keyed row before any other write, in a savepoint:
should the unique constraint still fire, nothing else has been written and the existing row
is returned.
"""

import uuid
from uuid import UUID

from django import forms
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _


class OneTimeKeyForm(forms.Form):
    form_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


def form_key_field() -> models.UUIDField:
    return models.UUIDField(_("Form key"), null=True, blank=True, unique=True, editable=False)


def used(model, key: UUID | None):
    """The row an earlier POST of the same form wrote, or None."""
    if key is None:
        return None
    return model.objects.filter(form_key=key).first()


def insert_once(model, key: UUID | None, **fields):
    """(row, True) for a new row; (the row of the same key, False) when the key was used."""
    try:
        with transaction.atomic():
            return model.objects.create(form_key=key, **fields), True
    except IntegrityError:
        existing = used(model, key)
        if existing is None:
            raise
        return existing, False
