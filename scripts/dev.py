#!/usr/bin/env python3
"""Werkbrug on your machine, with nothing but Python 3.11.

    python3.11 scripts/dev.py start   # environment, migrations, demo data, web + scheduler
    python3.11 scripts/dev.py test    # environment with test tools, then the whole test suite

Both commands can be run again without harm: the environment (.venv) is only created once and
pip only installs what is missing; migrations and demo data are idempotent.
Extra arguments after `test` go to pytest (e.g. `scripts/dev.py test -k login`).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_environment(requirements: str) -> None:
    """Create .venv once and install the pinned requirements when they changed."""
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"Werkbrug needs Python 3.11; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print("Creating the environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    req_file = ROOT / requirements
    stamp = VENV / f".installed-{req_file.stem}"
    digest = _requirements_digest(req_file)
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"Installing {requirements} ...", flush=True)
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(req_file)],
        check=True,
        cwd=ROOT,
    )
    stamp.write_text(digest)


def _requirements_digest(req_file: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted({req_file, ROOT / "requirements.txt"}):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def flask(*args: str, env: dict | None = None) -> None:
    subprocess.run([str(PYTHON), "-m", "flask", "--app", "app", *args], check=True, cwd=ROOT, env=env)


def start() -> int:
    ensure_environment("requirements.txt")
    env = {**os.environ, "WERKBRUG_ENV": os.environ.get("WERKBRUG_ENV", "development")}
    flask("db", "upgrade", env=env)
    flask("seed-demo", env=env)
    print("\nWerkbrug runs at http://127.0.0.1:5000  (stop with Ctrl+C)")
    print(
        "Demo accounts: werkgever@ | gemeente@ | jobcoach@ | beheer@demo.werkbrug.nl,",
        "password werkbrug-demo\n",
        flush=True,
    )
    scheduler = subprocess.Popen([str(PYTHON), "-m", "flask", "--app", "app", "scheduler"], cwd=ROOT, env=env)
    web = subprocess.Popen(
        [str(PYTHON), "-m", "flask", "--app", "app", "run", "--host", "127.0.0.1", "--port", "5000"],
        cwd=ROOT,
        env=env,
    )
    return _supervise([web, scheduler])


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt


def _supervise(children: list[subprocess.Popen]) -> int:
    """Run until Ctrl+C (or SIGTERM) or until one child stops; then stop the others too."""
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    return max((child.returncode or 0) for child in children)


def test(pytest_args: list[str]) -> int:
    ensure_environment("requirements-test.txt")
    env = {**os.environ, "WERKBRUG_ENV": "testing"}
    result = subprocess.run([str(PYTHON), "-m", "pytest", *pytest_args], cwd=ROOT, env=env)
    # pytest exit code 5 means no tests ran: that is a failure here, never a pass.
    return 1 if result.returncode == 5 else result.returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"start", "test"}:
        print(__doc__)
        return 2
    if argv[0] == "start":
        return start()
    return test(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
