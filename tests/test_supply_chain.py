"""The supply-chain check (scripts/audit.py): pinned requirements, dated exceptions, findings read right."""

from __future__ import annotations

import importlib.util
import re
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("werkbrug_audit", ROOT / "scripts" / "audit.py")
audit = importlib.util.module_from_spec(_spec)
sys.modules["werkbrug_audit"] = audit
_spec.loader.exec_module(audit)

PIN = re.compile(r"^[A-Za-z0-9_.\[\],-]+==[0-9][A-Za-z0-9.+-]*$")


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-test.txt", "requirements-audit.txt"])
def test_every_requirement_is_pinned_to_one_version(name):
    lines = [line.split("#")[0].strip() for line in (ROOT / name).read_text().splitlines()]
    loose = [line for line in lines if line and not line.startswith("-r ") and not PIN.match(line)]
    assert loose == []


def test_the_checked_in_exception_list_is_valid_today():
    accepted, problems = audit.load_exceptions()
    assert problems == []


def _write(tmp_path, text: str) -> Path:
    path = tmp_path / "exceptions.toml"
    path.write_text(text)
    return path


def test_an_exception_needs_every_field_and_a_timely_review(tmp_path):
    path = _write(
        tmp_path,
        """
[[exception]]
id = "PYSEC-1"
package = "a"
accepted = 2026-12-01
review_by = 2027-01-01
reason = "not reachable from Werkbrug"

[[exception]]
id = "PYSEC-2"
package = "b"
accepted = 2026-06-01
review_by = 2026-08-01
reason = "old"

[[exception]]
id = "PYSEC-3"
package = "c"
accepted = 2026-12-01
review_by = 2027-12-01
reason = "a year is too long"

[[exception]]
id = "PYSEC-4"
package = "d"
""",
    )
    accepted, problems = audit.load_exceptions(path, today=date(2026, 12, 3))
    assert [item.id for item in accepted] == ["PYSEC-1"]
    assert any("PYSEC-2" in p and "passed" in p for p in problems)
    assert any("PYSEC-3" in p for p in problems)
    assert any("missing accepted, review_by, reason" in p for p in problems)


def _accepted(*ids: str) -> list:
    return [audit.Exception_(i, "x", date(2026, 12, 1), date(2027, 1, 1), "r") for i in ids]


def test_pip_audit_findings_fail_unless_accepted_and_skipped_packages_are_named():
    report = {
        "dependencies": [
            {"name": "flask", "version": "3.1.3", "vulns": []},
            {
                "name": "jinja2",
                "version": "3.1.6",
                "vulns": [
                    {"id": "PYSEC-9", "aliases": ["GHSA-aaaa"], "fix_versions": ["3.1.7"]},
                    {"id": "PYSEC-10", "aliases": [], "fix_versions": []},
                ],
            },
            {"name": "private-pkg", "skip_reason": "Dependency not found on PyPI"},
        ]
    }
    found, skipped = audit.python_findings(report, _accepted("GHSA-aaaa"))
    assert found == ["jinja2 3.1.6: PYSEC-10 (fixed in no fixed release yet)"]
    assert skipped == ["private-pkg"]


def test_npm_advisories_fail_unless_accepted():
    report = {
        "vulnerabilities": {
            "axe-core": {"via": [{"source": 1001, "title": "Prototype pollution", "severity": "high"}]},
            "other": {"via": ["axe-core"]},
        }
    }
    assert audit.npm_findings(report, []) == ["axe-core: Prototype pollution (high)"]
    assert audit.npm_findings(report, _accepted("1001")) == []


def test_a_missing_audit_environment_counts_as_without_pip(tmp_path):
    # A fresh clone has no audit environment yet: that is a reason to make one, not a crash.
    assert audit._has_pip(tmp_path / "nowhere" / "bin" / "python") is False
