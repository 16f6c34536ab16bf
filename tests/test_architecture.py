"""The shape of the code (ARCHITECTURE.md): read from every module of portal/ with the stdlib ``ast``.

Imports anywhere in a module count, also inside functions; only imports for type checkers
(``if TYPE_CHECKING:``) do not, as they never run.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import portal

PORTAL = Path(portal.__file__).parent
ROOT = PORTAL.parent

#: The domain packages, lowest first: a package may import the ones before it, never one after it.
#: A new package fails the tests below until it has its place here (and a line in ARCHITECTURE.md).
LAYERS = (
    "auth",
    "employers",
    "candidates",
    "placements",
    "requests",
    "matching",
    "tasks",
    "visits",
    "ending",
    "aftercare",
    "alerts",
    "journey",
    "followups",
    "calendar",
    "privacy",
    "main",
    "monitoring",
    "admin",
    "demo",
)
#: The shared base every domain may use; it uses none of them.
CORE = "core"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    """Whether a dotted name under portal is a module or package (not a name inside a module)."""
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _type_checking_only(tree: ast.AST) -> set[int]:
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(inner) for statement in node.body for inner in ast.walk(statement))
    return skipped


@cache
def imports() -> dict[str, list[tuple[str, ast.stmt]]]:
    """Per portal module: every portal module it imports, with the import statement."""
    found: dict[str, list[tuple[str, ast.stmt]]] = {}
    for path in sorted(PORTAL.rglob("*.py")):
        name = module_name(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _type_checking_only(tree)
        targets: list[tuple[str, ast.stmt]] = []
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                targets += [(alias.name, node) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    targets.append((full if is_module(full) else base, node))
        found[name] = [(target, node) for target, node in targets if target.split(".")[0] == "portal"]
    return found


def package_of(module: str) -> str | None:
    """The package directly under portal that holds a module (None for portal's own modules)."""
    parts = module.split(".")
    if len(parts) < 2 or not (PORTAL / parts[1] / "__init__.py").is_file():
        return None
    return parts[1]


def domains() -> set[str]:
    return {path.parent.name for path in PORTAL.glob("*/__init__.py")} - {CORE}


def domain_edges() -> dict[tuple[str, str], list[str]]:
    """(importing package, imported package) → the modules that import it, for imports between domains."""
    edges: dict[tuple[str, str], list[str]] = {}
    for module, targets in imports().items():
        source = package_of(module)
        for target, _ in targets:
            imported = package_of(target)
            if source in domains() and imported in domains() and imported != source:
                edges.setdefault((source, imported), []).append(f"{module} → {target}")
    return edges


def test_core_imports_no_domain():
    wrong = [
        f"{module} → {target}"
        for module, targets in imports().items()
        if package_of(module) == CORE
        for target, _ in targets
        if package_of(target) in domains()
    ]
    assert wrong == []


def test_every_domain_package_has_its_layer():
    assert sorted(domains() - set(LAYERS)) == [], "place the new package in LAYERS (and ARCHITECTURE.md)"
    assert sorted(set(LAYERS) - domains()) == [], "a package in LAYERS no longer exists"
    assert len(LAYERS) == len(set(LAYERS))


def test_no_package_imports_one_above_it():
    rank = {name: index for index, name in enumerate(LAYERS)}
    upward = [
        detail
        for (source, imported), details in sorted(domain_edges().items())
        if rank[imported] > rank[source]
        for detail in details
    ]
    assert upward == []


def test_no_cycle_between_domain_packages():
    graph: dict[str, set[str]] = {}
    for source, imported in domain_edges():
        graph.setdefault(source, set()).add(imported)
    visiting: list[str] = []
    done: set[str] = set()

    def visit(package: str) -> list[str] | None:
        if package in visiting:
            return [*visiting[visiting.index(package) :], package]
        if package in done:
            return None
        visiting.append(package)
        for imported in sorted(graph.get(package, ())):
            cycle = visit(imported)
            if cycle:
                return cycle
        visiting.pop()
        done.add(package)
        return None

    cycles = [cycle for package in sorted(graph) if (cycle := visit(package))]
    assert cycles == []


def test_only_the_app_factory_imports_views():
    wrong = [
        f"{module} → {target}"
        for module, targets in imports().items()
        if module != "portal"
        for target, _ in targets
        if target.endswith(".views")
    ]
    assert wrong == []


def test_no_portal_module_is_renamed_on_import():
    """``from portal.x import services as y`` hides which room a name comes from: import it as it is."""
    renamed = []
    for module, targets in imports().items():
        for target, node in targets:
            for alias in node.names:
                if alias.asname is None:
                    continue
                if isinstance(node, ast.Import):
                    full = alias.name
                else:
                    full = f"{target}" if target.endswith(f".{alias.name}") else ""
                if full.startswith("portal.") and is_module(full):
                    renamed.append(f"{module}: {full} as {alias.asname}")
    assert sorted(set(renamed)) == []


def test_architecture_md_names_every_package_in_layers():
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    missing = [name for name in (*LAYERS, CORE) if f"`{name}`" not in text]
    assert missing == []
    assert "ARCHITECTURE.md" in (ROOT / "README.md").read_text(encoding="utf-8")
