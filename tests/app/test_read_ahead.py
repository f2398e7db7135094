"""store/read_ahead.py on its own: a read is taken once, by its key; a read that failed, or waited too long, is
not used (the request reads for itself); at most `size` reads are kept."""
from __future__ import annotations

import time

from store.read_ahead import ReadAhead


def test_a_read_is_taken_once_by_its_key():
    ahead = ReadAhead()
    ahead.start("page 2", lambda: [1, 2])
    ahead.start("page 2", lambda: [3])  # one runs already for it: not started again
    assert ahead.take("page 3") is None
    assert ahead.take("page 2") == [1, 2]
    assert ahead.take("page 2") is None
    assert (ahead.started, ahead.used) == (1, 1)


def test_a_failed_or_stale_read_is_not_used():
    ahead = ReadAhead(lifetime=0.05)

    def lost():
        raise ConnectionError("the database went away")

    ahead.start("failed", lost)
    assert ahead.take("failed") is None  # the request reads its page itself, and meets the error if it lasts
    ahead.start("stale", lambda: [1])
    time.sleep(0.1)
    assert ahead.take("stale") is None and ahead.used == 0


def test_only_the_latest_reads_are_kept():
    ahead = ReadAhead(size=2)
    for n in range(5):
        ahead.start(n, lambda n=n: [n])
    assert [ahead.take(n) for n in range(5)] == [None, None, None, [3], [4]]
