"""The import graph of ``contest/`` and ``question_bank/``, read with ``ast`` (imports inside functions count too):
no cycle, no leading-underscore name imported from another module, and no upward import between domains.

The layering, from the ground up:
* ``shared``: the modules directly in ``contest/`` (database, errors, the JSON and form helpers of ``web``…); they
  import no domain;
* the domains' ``models`` (their tables): every domain's code may read every model;
* the domains' services and pure code, in ``DOMAINS`` order: a domain imports the services of the domains below it;
* the domains' edges (``EDGE_MODULES`` and ``web/`` folders: blueprints, forms, commands, the ``init_app``
  wiring), which compose the services of any domain, and the edges of the domains below theirs only;
* the app itself (``contest/__init__.py``, and ``contest/models.py``, the whole schema for Alembic).
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOP = ("contest", "question_bank")
APP = {"contest", "contest.models"}
# Low to high: each may import the services of those before it, never of those after it.
DOMAINS = ["contest.audit", "question_bank", "contest.units", "contest.access", "contest.accounts", "contest.privacy",
           "contest.rounds",
           "contest.attempts", "contest.organiser", "contest.leaderboards", "contest.prizes", "contest.fairplay",
           "contest.realtime", "contest.public", "contest.demo"]
EDGE_MODULES = {"__init__", "api", "pages", "cli", "forms"}
EDGE_SUFFIXES = ("_api", "_pages", "_cli")  # entrants_pages.py: an edge named for what it serves
UNSPLIT_EDGES: set[str] = set()  # modules holding pages and JSON together: none left
SHARED, MODELS, SERVICES, EDGES, TOP_TIER = range(5)


@cache
def modules() -> dict[str, Path]:
    found = {}
    for top in TOP:
        for path in (ROOT / top).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def imports(name: str) -> list[tuple[str, str | None, int]]:
    """``(module imported, name taken from it or None, line)`` for every import of ``name`` within the tree."""
    known = modules()
    path = known[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = alias.name
                while target not in known and "." in target:
                    target = target.rpartition(".")[0]
                if target in known:
                    found.append((target, None, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            if base not in known:
                continue
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.append((submodule, None, node.lineno) if submodule in known else (base, alias.name, node.lineno))
    return found


def domain_of(name: str) -> str | None:
    return next((d for d in sorted(DOMAINS, key=len, reverse=True) if name == d or name.startswith(d + ".")), None)


def tier_of(name: str) -> int:
    if name in APP:
        return TOP_TIER
    domain = domain_of(name)
    if domain is None:
        return SHARED
    leaf = "__init__" if name == domain or modules()[name].name == "__init__.py" else name.rpartition(".")[2]
    if leaf == "models":
        return MODELS
    if leaf in EDGE_MODULES or leaf.endswith(EDGE_SUFFIXES) or ".web." in f"{name}." or name in UNSPLIT_EDGES:
        return EDGES
    return SERVICES


def upward(source: str, target: str) -> bool:
    """Whether ``source`` importing ``target`` goes against the layering."""
    source_domain, target_domain = domain_of(source), domain_of(target)
    if source_domain == target_domain and source_domain is not None:
        return False
    source_tier, target_tier = tier_of(source), tier_of(target)
    if source_tier == SHARED:
        return target_tier != SHARED
    if target_tier != source_tier or source_tier == TOP_TIER:
        return target_tier > source_tier
    return DOMAINS.index(target_domain) > DOMAINS.index(source_domain)


def test_the_layering_names_every_domain():
    packages = {name for name, path in modules().items() if path.name == "__init__.py" and name.count(".") <= 1
                and not name.startswith("question_bank.")}
    assert packages - APP - set(DOMAINS) == set()
    assert all(name in modules() for name in UNSPLIT_EDGES)


def test_no_import_cycle():
    graph = {name: {target for target, _, _ in imports(name) if target != name} for name in modules()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while (member := stack.pop()) != node:
                component.append(member)
            if component:
                cycles.append(sorted([node, *component]))

    for name in graph:
        if name not in index:
            visit(name)
    assert cycles == []


def test_no_private_name_is_imported_from_another_module():
    private = [f"{name}:{line} takes {taken} from {target}" for name in modules()
               for target, taken, line in imports(name)
               if taken is not None and taken.startswith("_") and not taken.startswith("__") and target != name]
    assert private == []


def test_no_upward_import_between_domains():
    wrong = [f"{name}:{line} imports {target}" for name in modules() for target, _, line in imports(name)
             if upward(name, target)]
    assert wrong == []


def test_the_checks_see_what_they_check():
    """The reader resolves relative and function-level imports, and the layering refuses what it should."""
    assert ("contest.leaderboards.runtime", "extension", ) in {t[:2] for t in imports("contest.realtime.board")}
    assert any(target == "contest.leaderboards.web.api" for target, _, _ in imports("contest.leaderboards"))
    assert upward("contest.units.service", "contest.rounds.service")
    assert upward("contest.rounds.pages", "contest.leaderboards.web.pages")
    assert not upward("contest.leaderboards.web.pages", "contest.rounds.pages")
    assert upward("contest.db", "contest.accounts.models")
    assert not upward("question_bank.key_guard", "contest.rounds.models")
    assert not upward("contest.rounds.pages", "contest.leaderboards.reads")
