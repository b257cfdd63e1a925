"""Where the test data lives: the bundled seed pages and the shared evaluation sets."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EVAL = ROOT.parent / "shared" / "eval"


def seed_text(prefix: str) -> str:
    """The raw text of the seed page whose file name starts with prefix ("000" ... "004")."""
    (path,) = EXAMPLES.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")
