"""The practitioners' review pages (filled in below)."""


def install(app, office) -> None:
    return None
