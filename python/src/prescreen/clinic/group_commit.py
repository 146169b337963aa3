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
    def __init__(self, store: Store, write_batch: Callable[[Any, List[Any]], List[Any]]):
        """``write_batch(conn, items)`` writes the items inside the batch's transaction (a few statements
        for the whole batch, not a few per item) and returns one result per item."""
        self.store = store
        self.write_batch = write_batch
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
                results = self.write_batch(conn, [item for item, _ in batch])
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
