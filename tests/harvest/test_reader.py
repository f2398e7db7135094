"""The reader process's read-ahead (harvest/reader.py), driven in this process with a scripted page source: it
reads up to AHEAD pages past the one asked for, never into a token loop, and starts a new chain when the run asks
for a page elsewhere (a restarted window, a new set)."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import harvest.reader as reader
from harvest.page import Page
from harvest.reader import PageOutcome
from harvest.runner import Checkpoint


class Source:
    """Pages by token: t0 → t1 → … → tN (the last has no token); `loop` makes tK's next token tK again."""

    def __init__(self, last: int = 10, loop: int | None = None, failing: str | None = None):
        self.last, self.loop, self.failing = last, loop, failing
        self.asked: list[tuple[int, str | None]] = []
        self.lock = threading.Lock()

    def __call__(self, at: Checkpoint) -> tuple[Page, PageOutcome]:
        with self.lock:
            self.asked.append(at.position)
        if self.failing is not None and at.token == self.failing:
            raise OSError(f"cannot read {at.token}")
        n = int((at.token or "t0")[1:])
        following = n if self.loop == n else n + 1
        return Page(response_date=None, token=f"t{following}" if n < self.last else None), PageOutcome()

    def settled(self) -> list[tuple[int, str | None]]:
        time.sleep(0.05)  # the reading thread ends what it was given
        with self.lock:
            return list(self.asked)


@pytest.fixture
def source(monkeypatch):
    made: list[Source] = []

    def install(**kwargs) -> Source:
        made.append(Source(**kwargs))
        monkeypatch.setattr(reader, "_reader", made[-1])
        monkeypatch.setattr(reader, "_reading", ThreadPoolExecutor(max_workers=1))
        monkeypatch.setattr(reader, "_ahead", {})
        monkeypatch.setattr(reader, "_last", None)
        monkeypatch.setattr(reader, "_tokens_read", set())
        return made[-1]

    yield install
    reader._reading.shutdown(wait=True)


def test_reads_two_pages_ahead_of_the_run_and_no_further(source):
    pages = source()
    page, _ = reader._read_detached(Checkpoint())
    assert page.token == "t1"
    assert pages.settled() == [(0, None), (0, "t1"), (0, "t2")]
    reader._read_detached(Checkpoint(0, "t1"))
    assert pages.settled() == [(0, None), (0, "t1"), (0, "t2"), (0, "t3")]
    for n in range(2, 11):  # to the end of the list: every page read once, nothing past the last
        page, _ = reader._read_detached(Checkpoint(0, f"t{n}"))
    assert page.token is None
    assert pages.settled() == [(0, None)] + [(0, f"t{n}") for n in range(1, 11)]


def test_never_reads_ahead_into_a_token_loop(source):
    pages = source(loop=1)
    reader._read_detached(Checkpoint())
    page, _ = reader._read_detached(Checkpoint(0, "t1"))
    assert page.token == "t1"  # the run sees the loop and stops (harvest/runner.py)
    assert pages.settled() == [(0, None), (0, "t1")]


def test_a_page_asked_elsewhere_starts_a_new_chain(source):
    pages = source()
    reader._read_detached(Checkpoint())
    pages.settled()
    page, _ = reader._read_detached(Checkpoint(1, None))  # the next set, say
    assert page.token == "t1"
    assert pages.settled()[3:] == [(1, None), (1, "t1"), (1, "t2")]
    reader._read_detached(Checkpoint(1, "t1"))  # the new chain's pages were kept
    assert pages.settled()[6:] == [(1, "t3")]


def test_an_error_reading_ahead_is_raised_when_that_page_is_asked_for(source):
    pages = source(failing="t2")
    reader._read_detached(Checkpoint())
    reader._read_detached(Checkpoint(0, "t1"))
    with pytest.raises(OSError, match="cannot read t2"):
        reader._read_detached(Checkpoint(0, "t2"))
    assert pages.settled() == [(0, None), (0, "t1"), (0, "t2")]
