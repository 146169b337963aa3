"""Where the back office keeps and finds things, and its limits (command-line options map onto these)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Tuple

from . import limits
from .clock import Clock, system_clock


def repository_root() -> Optional[Path]:
    """The checkout this package runs from (for the form, the WebAssembly build and the packs), if any."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "web-demo" / "index.html").is_file() and (parent / "protocols").is_dir():
            return parent
    return None


@dataclass
class Settings:
    data_dir: Path
    database_url: Optional[str] = None
    protocols_dir: Optional[Path] = None
    web_dir: Optional[Path] = None  # the patient form (web-demo/)
    wasm_dir: Optional[Path] = None  # the WebAssembly package (wasm/, with dist/)
    submission_rate: limits.Rate = field(default_factory=lambda: limits.SUBMISSIONS)
    login_rate: limits.Rate = field(default_factory=lambda: limits.LOGINS)
    max_body: int = limits.MAX_BODY_BYTES
    clock: Clock = system_clock
    session_hours: float = 10.0

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)
        root = repository_root()
        if self.protocols_dir is None and root:
            self.protocols_dir = root / "protocols"
        if self.web_dir is None and root:
            self.web_dir = root / "web-demo"
        if self.wasm_dir is None and root:
            self.wasm_dir = root / "wasm"

    def pack_folders(self) -> List[Tuple[Path, str]]:
        """The served packs: every <id>/protocol.json under the protocols folder, and older versions in DATA/packs/."""
        folders = [(self.data_dir / "packs", "*.json")]
        if self.protocols_dir:
            folders.insert(0, (Path(self.protocols_dir), "*/protocol.json"))
        return folders

    @classmethod
    def from_environment(cls, data_dir: os.PathLike, **kw) -> "Settings":
        return cls(Path(data_dir), database_url=kw.pop("database_url", None) or os.environ.get("PRESCREEN_DATABASE_URL"), **kw)
