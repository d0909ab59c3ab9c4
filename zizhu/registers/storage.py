"""A register snapshot is one partition of the store (see zizhu.store.writer)."""

from zizhu.store.layout import register_partition
from zizhu.store.schemas import DICTIONARY_COLUMNS
from zizhu.store.writer import PartitionWriter


def snapshot_folder(kind: str, month: str) -> str:
    return register_partition(kind, month)


class SnapshotWriter(PartitionWriter):
    def __init__(self, store, kind: str, month: str, schema):
        super().__init__(store, snapshot_folder(kind, month), schema, DICTIONARY_COLUMNS)
