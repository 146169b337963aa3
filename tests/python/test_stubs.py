"""The type stubs of the compiled module cannot drift from it: mypy's stubtest compares
python/src/prescreen/_core.pyi with the built prescreen._core (allow-list: python/stubtest-allowlist.txt)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_core_stubs_match_the_built_module():
    run = subprocess.run([sys.executable, "-m", "mypy.stubtest", "prescreen._core",
                          "--allowlist", str(ROOT / "python" / "stubtest-allowlist.txt")],
                         capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
