"""Items of an iterable made ahead, in a thread of their own, while their consumer works on
the ones before: the second core used where one side spends its time without the GIL (SQLite
stepping an insert, PostgreSQL checking a COPY while the client waits, pyarrow, hashing).

    with made_ahead(batches()) as ready:
        for batch in ready:
            ...

The producer's exception is raised in the consumer, at the item it could not make; when the
consumer stops early (its own exception, a break), the producer stops at its next item and
its thread is joined before the `with` ends. The producer must touch no database connection
(Django's connections belong to their thread) and nothing the consumer changes meanwhile."""

import contextlib
import threading
from collections.abc import Iterable, Iterator
from queue import Empty, Queue
from types import TracebackType
from typing import Generic, TypeVar, cast

T = TypeVar("T")

_ITEM, _DONE, _FAILED = range(3)


class made_ahead(Generic[T]):  # noqa: N801 - used as a function: `with made_ahead(...)`
    """`items` iterated in a thread, at most `depth` made (or being made) and not yet
    taken."""

    def __init__(self, items: Iterable[T], depth: int = 1) -> None:
        self._items = items
        self._queue: Queue[tuple[int, object]] = Queue()
        # a place for each item made and not yet taken, or being made: with the one the
        # consumer holds, at most `depth` + 1 items are alive
        self._places = threading.Semaphore(depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, name="made-ahead", daemon=True)

    def __enter__(self) -> Iterator[T]:
        self._thread.start()
        return self._taken()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._places.release()  # a producer waiting for a place sees the stop
        self._thread.join()
        with contextlib.suppress(Empty):  # what was made and not taken goes now
            while True:
                self._queue.get_nowait()

    def _produce(self) -> None:
        items = iter(self._items)
        try:
            while True:
                self._places.acquire()
                if self._stop.is_set():
                    return
                try:
                    item = next(items)
                except StopIteration:
                    self._queue.put((_DONE, None))
                    return
                self._queue.put((_ITEM, item))
                del item
        except BaseException as exc:  # raised again in the consumer
            self._queue.put((_FAILED, exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:  # a generator left early lets go of what it holds
                close()

    def _taken(self) -> Iterator[T]:
        while True:
            kind, value = self._queue.get()
            self._places.release()  # the item is the consumer's now: the next may be made
            if kind == _DONE:
                return
            if kind == _FAILED:
                assert isinstance(value, BaseException)
                raise value
            yield cast(T, value)
            del value  # not kept alive while the next one is awaited
