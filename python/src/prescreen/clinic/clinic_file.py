"""The clinic file (``protocols/clinic.json``): the clinic's own name and device, read once when the
back office starts. The patient's form reads the same file, so the back office's pages, the consent
PDF, the patient's copy and the calendar files name the clinic the patient saw, never a name in code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

# What the pages say when a deployment has no clinic file (or it names no clinic).
UNNAMED = "The clinic"


@dataclass(frozen=True)
class ClinicFile:
    name: str = UNNAMED
    device: str = ""  # the micro-needling device, prefilled in the consultation's Procedure block


def read_clinic_file(protocols_dir: Optional[str]) -> ClinicFile:
    """The clinic file in the protocols folder; an absent or unreadable file gives the defaults (the
    back office still runs: the form and the pack are what it must have)."""
    if not protocols_dir:
        return ClinicFile()
    try:
        data = json.loads((Path(protocols_dir) / "clinic.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ClinicFile()
    if not isinstance(data, dict):
        return ClinicFile()

    def named(key: str, default: str) -> str:
        value = data.get(key)
        return value.strip() if isinstance(value, str) and value.strip() else default

    return ClinicFile(name=named("name", UNNAMED), device=named("device", ""))
