"""screen_many keeps its screening threads from batch to batch (no thread per call), and a child
process made by fork() after the parent screened still screens (the child has none of the
parent's threads, so it must not wait for them)."""

import os
import signal
import subprocess
import sys
import time

from conftest import SMALL_PACK, TODAY, answers


# Run in a fresh interpreter, so no other batch or library has started threads before.
_COUNT_THREADS = r"""
import os, sys
import prescreen
pack = prescreen.Protocol.from_file(sys.argv[1])
rows = [{}] * 1000
tasks = lambda: len(os.listdir("/proc/self/task"))
before = tasks()
pack.screen_many(rows, today="2026-11-25", threads=2)
first = tasks()
for _ in range(30):
    pack.screen_many(rows, today="2026-11-25", threads=2)
print(before, first, tasks())
"""


def test_threads_are_kept_between_batches():
    out = subprocess.run([sys.executable, "-c", _COUNT_THREADS, str(SMALL_PACK)], capture_output=True, text=True,
                         timeout=120, check=True).stdout.split()
    before, first, later = map(int, out)
    assert first == before + 1, "the 2-thread batch's worker was not kept for the next batch"
    assert later == first, "batches after the first started threads of their own"


def test_batches_still_screen_in_a_forked_child(pack):
    rows = [answers(), answers(pregnant=True)] * 300
    expected = [r.outcome for r in pack.screen_many(rows, today=TODAY, threads=2)]
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only when every row came back as in the parent
        try:
            got = [r.outcome for r in pack.screen_many(rows, today=TODAY, threads=2)]
            os._exit(0 if got == expected else 3)
        except BaseException:
            os._exit(4)
    deadline = time.monotonic() + 60
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise AssertionError("the forked child hung in screen_many (waiting for the parent's threads)")
        time.sleep(0.05)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, f"child status {status}"
