"""A text column whose values are sealed at rest (AES-GCM, zizhu.lib.sealing).

Reads open the value, writes seal it: code and templates see plaintext. Sealed values cannot
be compared, so the field allows no lookups but `isnull`: look people up by their keyed hash
(`pid`, `phone_key`). Bulk paths seal whole Arrow columns with `seal_array`."""

import pyarrow as pa
from django.conf import settings
from django.db import models

from zizhu.lib.sealing import Keyring, parse_keyring


def keyring() -> Keyring:
    return parse_keyring(settings.ZIZHU_DATA_KEYS)


class SealedTextField(models.TextField):
    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        self.aad = f"{cls._meta.db_table}.{self.column}".encode()

    def get_db_prep_value(self, value, connection, prepared=False):
        value = super().get_db_prep_value(value, connection, prepared)
        # Always sealed, even text that looks sealed: a typed value never passes as ciphertext.
        return keyring().seal(value, self.aad) if value else value

    def from_db_value(self, value, expression, connection):
        return keyring().open(value, self.aad) if value else value

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def seal_array(self, values: pa.Array) -> pa.Array:
        """`seal_many` of an Arrow string array without nulls (zizhu.lib.sealing)."""
        return keyring().seal_array(values, self.aad)

    def open_many(self, values: list[str]) -> list[str]:
        return keyring().open_many(values, self.aad)
