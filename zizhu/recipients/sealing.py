"""Re-sealing recipient rows: under the current data key (`rotate_data_keys`), or from the
plaintext of rows stored before sealing (migration 0002).

Set-based: each batch is one SELECT of the rows whose sealed columns are not all under the
current key, opened and sealed a column at a time, and one UPDATE … FROM (VALUES …)."""

from collections.abc import Callable

from django.db import connection, transaction

from zizhu.lib.sealing import Keyring, is_sealed

TABLE = "recipients_recipientrow"
COLUMNS = ("id_number", "phone", "bank_account")


def _stale_rows(cursor, prefix: str, after: int, batch: int) -> list[tuple]:
    n = len(prefix)
    stale = " OR ".join(f"({c} <> '' AND substr({c}, 1, {n}) <> %s)" for c in COLUMNS)
    cursor.execute(
        f"SELECT id, {', '.join(COLUMNS)} FROM {TABLE} "  # noqa: S608 - fixed names
        f"WHERE id > %s AND ({stale}) ORDER BY id LIMIT %s",
        [after, *([prefix] * len(COLUMNS)), batch],
    )
    return cursor.fetchall()


def _update(cursor, rows: list[tuple]) -> None:
    names = ", ".join(("id", *COLUMNS))
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    assignments = ", ".join(f"{c} = v.{c}" for c in COLUMNS)
    cursor.execute(
        f"WITH v ({names}) AS (VALUES {values}) "  # noqa: S608 - fixed names
        f"UPDATE {TABLE} SET {assignments} FROM v WHERE {TABLE}.id = v.id",
        [value for row in rows for value in row],
    )


def _reseal_column(ring: Keyring, values: list[str], aad: bytes) -> list[str]:
    """Open what is sealed (any key), keep plaintext as it is, seal all under the current key."""
    sealed = [i for i, v in enumerate(values) if is_sealed(v)]
    opened = ring.open_many([values[i] for i in sealed], aad)
    plain = list(values)
    for i, value in zip(sealed, opened, strict=True):
        plain[i] = value
    return ring.seal_many(plain, aad)


def rows_reseal(
    ring: Keyring, *, batch: int = 5000, progress: Callable[[int], None] | None = None
) -> int:
    """Seal every recipient row's ID, phone and card number under `ring`'s current key;
    returns the rows rewritten. Each batch commits on its own: an interrupted run resumes
    where it stopped, and rows stay readable throughout (old keys still open)."""
    prefix = ring.prefix()
    done = last = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            rows = _stale_rows(cursor, prefix, last, batch)
            if not rows:
                return done
            ids, *columns = (list(c) for c in zip(*rows, strict=True))
            resealed = [
                _reseal_column(ring, values, f"{TABLE}.{name}".encode())
                for name, values in zip(COLUMNS, columns, strict=True)
            ]
            _update(cursor, list(zip(ids, *resealed, strict=True)))
        done += len(rows)
        last = ids[-1]
        if progress:
            progress(done)


def rows_unseal(ring: Keyring, *, batch: int = 5000) -> int:
    """Back to plaintext (reversing migration 0002 only)."""
    done = last = 0
    sealed = " OR ".join(f"substr({c}, 1, 1) = '$'" for c in COLUMNS)
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, {', '.join(COLUMNS)} FROM {TABLE} "  # noqa: S608 - fixed names
                f"WHERE id > %s AND ({sealed}) ORDER BY id LIMIT %s",
                [last, batch],
            )
            rows = cursor.fetchall()
            if not rows:
                return done
            ids, *columns = (list(c) for c in zip(*rows, strict=True))
            opened = [
                [ring.open(v, f"{TABLE}.{name}".encode()) if is_sealed(v) else v for v in values]
                for name, values in zip(COLUMNS, columns, strict=True)
            ]
            _update(cursor, list(zip(ids, *opened, strict=True)))
        done += len(rows)
        last = ids[-1]
