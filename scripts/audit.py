"""Supply-chain check: known vulnerabilities in the pinned Python packages and the npm assets.

Run by .ci/run. Python: pip-audit (from requirements-audit.txt, in its own environment .venv-audit) checks
requirements.txt and requirements-test.txt as pinned. npm: `npm audit` on package-lock.json. Accepted
vulnerabilities are listed, with a reason and a review date, in config/audit-exceptions.toml; an entry past
its review date fails the check. A package the index cannot tell about is reported as not audited (it
does not fail the check); a known vulnerability that is not accepted does.

Exit status: 0 clean, 1 a vulnerability or an outdated exception, 2 the check itself could not run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import venv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AUDIT_VENV = ROOT / ".venv-audit"
EXCEPTIONS = ROOT / "config" / "audit-exceptions.toml"
REQUIREMENTS = ("requirements.txt", "requirements-test.txt")
#: An accepted vulnerability is looked at again within this many days.
MAX_REVIEW_DAYS = 92


@dataclass(frozen=True)
class Exception_:
    id: str
    package: str
    accepted: date
    review_by: date
    reason: str


def load_exceptions(path: Path = EXCEPTIONS, today: date | None = None) -> tuple[list[Exception_], list[str]]:
    """The accepted vulnerabilities, and the problems with the list (missing fields, past review dates)."""
    today = today or date.today()
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    accepted, problems = [], []
    for number, entry in enumerate(data.get("exception", []), start=1):
        missing = [key for key in ("id", "package", "accepted", "review_by", "reason") if not entry.get(key)]
        if missing:
            problems.append(f"exception {number}: missing {', '.join(missing)}")
            continue
        item = Exception_(**{key: entry[key] for key in Exception_.__dataclass_fields__})
        if not isinstance(item.accepted, date) or not isinstance(item.review_by, date):
            problems.append(f"{item.id}: accepted and review_by must be dates (YYYY-MM-DD)")
        elif (item.review_by - item.accepted).days > MAX_REVIEW_DAYS:
            problems.append(f"{item.id}: review within {MAX_REVIEW_DAYS} days of accepting it")
        elif item.review_by < today:
            problems.append(f"{item.id}: review date {item.review_by} has passed; look at it again")
        else:
            accepted.append(item)
    return accepted, problems


def python_findings(report: dict, accepted: list[Exception_]) -> tuple[list[str], list[str]]:
    """(vulnerabilities not accepted, packages not audited) from pip-audit's JSON report."""
    ignored = {item.id for item in accepted}
    found, skipped = [], []
    for dependency in report.get("dependencies", []):
        if dependency.get("skip_reason"):
            skipped.append(dependency["name"])
        for vuln in dependency.get("vulns", []):
            ids = {vuln["id"], *vuln.get("aliases", [])}
            if not ids & ignored:
                fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed release yet"
                found.append(f"{dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})")
    return found, skipped


def npm_findings(report: dict, accepted: list[Exception_]) -> list[str]:
    """Advisories from `npm audit --json` that are not accepted."""
    ignored = {item.id for item in accepted}
    found = []
    for name, entry in report.get("vulnerabilities", {}).items():
        for via in entry.get("via", []):
            if (
                isinstance(via, dict)
                and str(via.get("source")) not in ignored
                and via.get("url") not in ignored
            ):
                found.append(f"{name}: {via.get('title', 'advisory')} ({via.get('severity', '?')})")
    return found


def _has_pip(python: Path) -> bool:
    try:
        return subprocess.run([str(python), "-m", "pip", "--version"], capture_output=True).returncode == 0
    except OSError:  # a broken interpreter link left by an interrupted run
        return False


def ensure_audit_environment() -> Path:
    python = AUDIT_VENV / "bin" / "python"
    stamp = AUDIT_VENV / ".installed"
    wanted = (ROOT / "requirements-audit.txt").read_text()
    if not python.exists() or not _has_pip(python):
        # Missing, or left half-made by an interrupted run: make it anew.
        venv.EnvBuilder(with_pip=True, clear=True).create(AUDIT_VENV)
    if not stamp.exists() or stamp.read_text() != wanted:
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "-r", str(ROOT / "requirements-audit.txt")],
            check=True,
        )
        stamp.write_text(wanted)
    return python


def run_pip_audit(accepted: list[Exception_]) -> tuple[list[str], list[str]] | None:
    python = ensure_audit_environment()
    command = [str(python), "-m", "pip_audit", "--no-deps", "--format", "json", "--progress-spinner", "off"]
    for name in REQUIREMENTS:
        command += ["-r", str(ROOT / name)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print("pip-audit could not run:", result.stderr.strip().splitlines()[-1:] or "no output")
        return None
    return python_findings(report, accepted)


def run_npm_audit(accepted: list[Exception_]) -> list[str] | None:
    if not (ROOT / "package-lock.json").exists():
        return []
    try:
        result = subprocess.run(
            ["npm", "audit", "--package-lock-only", "--json"],  # noqa: S607 (npm from PATH, like a developer)
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
    except FileNotFoundError:
        print("npm audit: npm is not installed; the npm assets were not audited.")
        return None
    try:
        report = json.loads(result.stdout or "{}")
    except json.JSONDecodeError:
        report = {}
    if "error" in report or "vulnerabilities" not in report:
        print(
            "npm audit: the package registry does not answer audit requests; the npm assets were not audited."
        )
        return None
    return npm_findings(report, accepted)


def main() -> int:
    accepted, problems = load_exceptions()
    for problem in problems:
        print(f"audit-exceptions.toml: {problem}")
    python = run_pip_audit(accepted)
    npm = run_npm_audit(accepted)
    if python is None:
        return 2
    found, skipped = python
    found += npm or []
    if skipped:
        names = ", ".join(skipped)
        print(f"Not audited ({len(skipped)}): the package index gave no vulnerability data for {names}.")
    for line in found:
        print(f"VULNERABLE {line}")
    if found or problems:
        return 1
    print("Supply-chain check: no known vulnerabilities that are not accepted.")
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
