"""Views hold no role or status checks: they ask the domain's permissions module, which the services ask too,
so what a page offers and what a service allows cannot drift apart. Parsed with ``ast``, never imported."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parent.parent / "portal"
#: View modules not yet moved to the permissions pattern (the aftercare package is being split); each one
#: leaves this list when it is.
NOT_YET_CHECKED = {
    "aftercare/views.py",
    "aftercare/alert_views.py",
}
#: Attributes that carry a user's role or an object's status.
DECIDING_ATTRIBUTES = {"role", "status"}


def view_modules() -> list[str]:
    names = [*PORTAL.glob("*/views.py"), *PORTAL.glob("*/*_views.py")]
    return sorted(str(path.relative_to(PORTAL)) for path in names)


def _is_status_set(node: ast.AST) -> bool:
    """A name such as ``OPEN_STATUSES`` or ``services.OPEN_STATUSES``: a set of statuses to test against."""
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
    return name.endswith("STATUSES")


def _is_deciding_attribute(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr in DECIDING_ATTRIBUTES


def role_and_status_checks(source: str) -> list[str]:
    """Each comparison of a ``.role`` or ``.status`` (or against a set of statuses), and each read of
    ``current_user.role``, as "line: code"."""
    found = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_is_deciding_attribute(o) or _is_status_set(o) for o in operands):
                found.setdefault(node.lineno, ast.unparse(node))
        elif (
            isinstance(node, ast.Attribute)
            and node.attr == "role"
            and isinstance(node.value, ast.Name)
            and node.value.id == "current_user"
        ):
            found.setdefault(node.lineno, ast.unparse(node))
    return [f"{line}: {code}" for line, code in sorted(found.items())]


def test_the_checker_finds_role_and_status_checks_and_nothing_else():
    source = """
if current_user.role == "employer": pass
if placement.status not in services.OPEN_STATUSES: pass
ok = request.status in queries.MATCHABLE_REQUEST
template = f"main/home_{current_user.role}.html"
code = proposal.status
status = "" if form.status.errors else form.status.data
if permissions.may_start(current_user, placement): pass
label = PLACEMENT_STATUSES.get(placement.status)
if form.role.data == "admin": pass
"""
    assert [line.split(":")[0] for line in role_and_status_checks(source)] == ["2", "3", "4", "5"]


def test_every_view_module_is_checked_or_listed():
    modules = view_modules()
    assert "placements/views.py" in modules
    assert set(modules) >= NOT_YET_CHECKED, "a listed module no longer exists: take it off the list"


@pytest.mark.parametrize("module", [m for m in view_modules() if m not in NOT_YET_CHECKED])
def test_views_ask_permissions_instead_of_checking_roles_and_statuses(module):
    checks = role_and_status_checks((PORTAL / module).read_text(encoding="utf-8"))
    assert not checks, (
        f"portal/{module} decides on a role or status itself; ask the domain's permissions.py "
        "(the function its service uses) and pass the answer to the template:\n" + "\n".join(checks)
    )
