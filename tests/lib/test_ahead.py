"""zizhu.lib.ahead: items made in a thread of their own, their errors and an early stop."""

import contextlib
import threading

import pytest

from zizhu.lib.ahead import made_ahead


def test_it_gives_every_item_in_order_made_in_another_thread():
    made_in = []

    def items():
        for n in range(50):
            made_in.append(threading.get_ident())
            yield n

    with made_ahead(items(), depth=3) as ready:
        assert list(ready) == list(range(50))
    assert set(made_in) == {made_in[0]} and made_in[0] != threading.get_ident()


def test_the_producers_error_comes_after_the_items_made_before_it():
    def items():
        yield 1
        yield 2
        raise LookupError("the third item")

    taken = []
    with pytest.raises(LookupError, match="the third item"), made_ahead(items()) as ready:
        taken.extend(ready)
    assert taken == [1, 2]


def test_a_consumer_that_stops_early_stops_the_producer_before_the_with_ends():
    made, closed, ended = [], threading.Event(), threading.Event()

    def items():
        try:
            for n in range(1_000_000):
                made.append(n)
                yield n
        finally:
            closed.set()

    ahead = made_ahead(items(), depth=2)

    def consume():
        with contextlib.suppress(RuntimeError), ahead as ready:
            for n in ready:
                if n == 5:
                    raise RuntimeError("the consumer fails")
        ended.set()

    consumer = threading.Thread(target=consume, daemon=True)
    consumer.start()
    consumer.join(timeout=10)
    assert ended.is_set(), "the with never ended: the producer did not stop"
    assert not ahead._thread.is_alive()
    assert closed.is_set()  # the generator was closed: what it holds is let go
    assert len(made) <= 5 + 1 + 2  # the consumer's, then at most `depth` made ahead
