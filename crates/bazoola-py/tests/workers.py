"""Work run in other processes by the concurrency tests (importable by name, as
`multiprocessing`'s spawn start method needs)."""

from __future__ import annotations

import threading

from bazoola import DB
from schemas import A, COUNTER


def insert_rows(base_dir: str, worker: int, count: int, barrier=None) -> list[int]:
    db = DB([A], base_dir)
    if barrier is not None:
        # Start together (best effort: a late worker only makes the race less likely).
        try:
            barrier.wait(timeout=60)
        except threading.BrokenBarrierError:
            pass
    try:
        return [db.insert("a", {"text": f"w{worker}"})["id"] for _ in range(count)]
    finally:
        db.close()


def increment(base_dir: str, times: int) -> None:
    db = DB([COUNTER], base_dir)
    try:
        for _ in range(times):
            with db.storage.lock():
                value = db.find_by_id("counter", 1)["value"]
                db.update_by_id("counter", 1, {"value": value + 1})
    finally:
        db.close()
