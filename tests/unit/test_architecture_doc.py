"""docs/architecture.md against the code: every file it names exists, and it names every domain of the layering
and every part of ``contest/leaderboards/``, so a new package or a move cannot leave it behind."""

from __future__ import annotations

import re
from pathlib import Path

from tests.unit.test_import_graph import DOMAINS

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
CODE = set(re.findall(r"`([^`]+)`", DOC))


def test_every_path_it_names_exists():
    paths = {token.split()[0] for token in CODE
             if token.startswith(("contest/", "question_bank/")) and "*" not in token}
    assert len(paths) >= 10
    assert sorted(path for path in paths if not (ROOT / path.rstrip("/")).exists()) == []


def test_it_names_every_domain():
    assert [domain for domain in DOMAINS if domain.rpartition(".")[2] not in CODE] == []


def test_it_names_every_part_of_the_leaderboards():
    package = ROOT / "contest" / "leaderboards"
    parts = {f"{path.name}/" if path.is_dir() else path.name for path in package.iterdir()
             if path.name not in ("__init__.py", "__pycache__")}
    named = {token for token in CODE} | {f"{token}.py" for token in CODE}
    assert sorted(part for part in parts if part not in named and not any(part in token for token in CODE)) == []
