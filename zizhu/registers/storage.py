"""A register snapshot is one partition of the store (see zizhu.store.writer)."""

from zizhu.registers.kinds import DICTIONARY_COLUMNS
from zizhu.store.writer import PartitionWriter


def snapshot_folder(kind: str, month: str) -> str:
    return f"registers/{kind}/month={month}"


class SnapshotWriter(PartitionWriter):
    def __init__(self, store, kind: str, month: str, schema):
        super().__init__(store, snapshot_folder(kind, month), schema, DICTIONARY_COLUMNS)
