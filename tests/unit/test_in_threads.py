"""pipeline.in_threads: the parallel map that ``cfl build --jobs N`` runs a wave with."""

from __future__ import annotations

import threading
import time

import pytest

from conda_forge_like.build.pipeline import in_threads


def test_results_keep_the_items_order_and_use_several_threads() -> None:
    names: set[str] = set()
    both = threading.Barrier(2, timeout=10)  # passes only if two calls run at once

    def work(item: int) -> int:
        names.add(threading.current_thread().name)
        if item < 2:
            both.wait()
        time.sleep(0.001 * (5 - item % 5))  # later items finish first
        return item * item

    assert in_threads(work, list(range(12)), 2) == [i * i for i in range(12)]
    assert len(names) == 2


def test_a_failure_stops_handing_out_items_and_is_raised() -> None:
    started: list[int] = []

    def work(item: int) -> int:
        started.append(item)
        if item == 1:
            raise RuntimeError("item 1 broke")
        time.sleep(0.01)
        return item

    with pytest.raises(RuntimeError, match="item 1 broke"):
        in_threads(work, list(range(50)), 2)
    assert len(started) < 10  # the queue was not run to its end


def test_never_more_threads_than_jobs() -> None:
    running, peak = [0], [0]
    lock = threading.Lock()

    def work(item: int) -> int:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.005)
        with lock:
            running[0] -= 1
        return item

    assert in_threads(work, list(range(20)), 3) == list(range(20))
    assert peak[0] <= 3
