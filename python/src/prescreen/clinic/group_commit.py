"""Group commit: submissions from many request threads are written by one writer thread, many per
transaction, so one fsync (SQLite ``synchronous=FULL``; PostgreSQL's WAL flush) covers many receipts.
Each request waits until its transaction is committed, and only then gets its receipt: an
acknowledged submission is on disk. A failed transaction fails every request in it, with nothing
written, and each may be sent again."""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from typing import Any, Callable, List

from .errors import ApiError
from .storage import Store

MAX_BATCH = 256


class GroupCommit:
    def __init__(self, store: Store, write_one: Callable[[Any, Any], Any]):
        """``write_one(conn, item)`` writes one item inside the batch's transaction and returns its result."""
        self.store = store
        self.write_one = write_one
        self._queue: "queue.Queue[tuple]" = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="prescreen-group-commit", daemon=True)
        self._thread.start()

    def submit(self, item: Any) -> Any:
        future: Future = Future()
        self._queue.put((item, future))
        return future.result()

    def _run(self) -> None:
        while True:
            batch: List[tuple] = [self._queue.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._write(batch)

    def _write(self, batch: List[tuple]) -> None:
        try:
            with self.store.write() as conn:
                results = [self.write_one(conn, item) for item, _ in batch]
        except ApiError as e:
            if e.code == "conflict" and len(batch) > 1:
                # Another server stored one of these keys at the same moment: write them one by one.
                for entry in batch:
                    self._write([entry])
                return
            for _, future in batch:
                future.set_exception(e)
            return
        except BaseException as e:  # never leave a request waiting
            for _, future in batch:
                future.set_exception(e)
            return
        for (_, future), result in zip(batch, results):
            future.set_result(result)
