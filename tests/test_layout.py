"""The package's folders are its layers, and imports only point down (DESIGN.md section 3)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "learnhub"
ENTRY_POINTS = {"__init__", "__main__", "cli", "app", "worker"}
# Top to bottom. A module may import from its own layer and the layers below it. `auth` (who is
# asking and what they may see) sits below the loaders, which apply its rules to every read.
LAYERS: list[set[str]] = [
    ENTRY_POINTS,
    {"http"},
    {"graphql"},
    {"learning", "authoring", "search", "files", "sharing", "caching", "payments", "live", "analytics"},
    {"loaders"},
    {"seed"},
    {"auth"},
    {"embedded", "migrations"},
    {"datasources"},
    {"observability"},
    {"core"},
]
FOLDERS = set().union(*LAYERS[1:]) | {"static"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts).removesuffix(".__init__")


def _imports() -> dict[str, set[str]]:
    """Module -> the learnhub modules it imports (at the top or inside functions)."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        module = _module_name(path)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found[module].add(node.module)
            elif isinstance(node, ast.Import):
                found[module].update(alias.name for alias in node.names)
    return {m: {i for i in names if i.startswith("learnhub.")} for m, names in found.items()}


def _top(module: str) -> str:
    return module.split(".")[1] if module.count(".") else "__init__"


def _layer(module: str) -> int:
    top = _top(module)
    return next(i for i, group in enumerate(LAYERS) if top in group)


def test_the_top_level_holds_only_entry_points_and_layer_folders() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert modules == ENTRY_POINTS
    assert folders == FOLDERS


def test_no_module_imports_from_a_layer_above_it() -> None:
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in _imports().items()
        for target in targets
        if _layer(target) < _layer(module)
    )
    assert upward == []


def test_packages_of_one_layer_do_not_import_each_other_both_ways() -> None:
    edges = {(_top(m), _top(t)) for m, targets in _imports().items() for t in targets if _top(m) != _top(t)}
    assert sorted((a, b) for a, b in edges if (b, a) in edges) == []


def test_root_resolvers_are_imported_only_by_the_schema() -> None:
    importers = sorted(
        module
        for module, targets in _imports().items()
        if any(t.startswith("learnhub.graphql.resolvers") for t in targets)
        and not module.startswith(("learnhub.graphql.resolvers", "learnhub.graphql.schema"))
    )
    assert importers == []


def test_nothing_below_the_entry_points_imports_them() -> None:
    """The entry points compose the rest (the app may run the worker in process); no layer uses them."""
    entry = {f"learnhub.{name}" for name in ENTRY_POINTS - {"__init__"}}
    importers = sorted(
        f"{module} -> {target}"
        for module, targets in _imports().items()
        for target in targets & entry
        if module not in entry
    )
    assert importers == []
