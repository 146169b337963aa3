"""Docs that run: every ```python block of README.md and python/README.md, in order, from the
repository root (blocks of one file share their names, as a reader's session would)."""

import os
import re

import pytest

from conftest import ROOT


@pytest.mark.parametrize("name", ["README.md", "python/README.md"])
def test_python_examples_run(name, monkeypatch):
    text = (ROOT / name).read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, f"{name} has no python examples"
    monkeypatch.chdir(ROOT)
    scope = {"__name__": "readme"}
    for number, block in enumerate(blocks, start=1):
        exec(compile(block, f"{name} (python block {number})", "exec"), scope)
