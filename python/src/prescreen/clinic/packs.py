"""The protocol packs the back office serves, by digest. A submission names the digest of the pack the
browser screened with; only a pack served here (a ``protocol.json`` under the protocols folder, or an
older version kept in ``DATA/packs/``) is accepted. Each pack's text is stored once, so any
submission can be replayed against exactly its pack later."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

import prescreen


@dataclass(frozen=True)
class Pack:
    protocol: prescreen.Protocol
    text: str
    path: str
    digest: str = field(init=False)  # the protocol's, read once (each read of protocol.digest copies it)

    def __post_init__(self) -> None:
        object.__setattr__(self, "digest", self.protocol.digest)


def _version_key(version: str):
    parts = []
    for part in version.replace("-", ".").split("."):
        parts.append((0, int(part), "") if part.isdigit() else (1, 0, part))
    return parts


class Packs:
    def __init__(self, packs: Iterable[Pack]):
        self.by_digest: Dict[str, Pack] = {}
        for pack in packs:
            self.by_digest.setdefault(pack.digest, pack)

    @classmethod
    def load(cls, folders: Iterable[Tuple[os.PathLike, str]]) -> "Packs":
        """Every file matching each (folder, glob pattern)."""
        found: List[Pack] = []
        for folder, pattern in folders:
            folder = Path(folder)
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob(pattern)):
                text = path.read_text(encoding="utf-8")
                # The pack's translations beside it (translations/<locale>.json), so records read in
                # any of its languages are made again and sealed here; the digest is the pack's own.
                translations = [t.read_text(encoding="utf-8") for t in sorted((path.parent / "translations").glob("*.json"))]
                found.append(Pack(prescreen.Protocol.from_json(text, translations=translations), text, str(path)))
        return cls(found)

    def get(self, digest: str) -> Optional[Pack]:
        return self.by_digest.get(digest)

    def newest(self, protocol_id: str) -> Optional[Pack]:
        same = [p for p in self.by_digest.values() if p.protocol.id == protocol_id]
        return max(same, key=lambda p: _version_key(p.protocol.version)) if same else None

    def newer_than(self, digest: str) -> Optional[Pack]:
        """The newest served version of the same protocol, when it is newer than the pack ``digest``."""
        pack = self.get(digest)
        if pack is None:
            return None
        newest = self.newest(pack.protocol.id)
        if newest and _version_key(newest.protocol.version) > _version_key(pack.protocol.version):
            return newest
        return None
