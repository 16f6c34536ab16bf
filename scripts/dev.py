#!/usr/bin/env python3
"""Werkbrug on your machine, with nothing but Python 3.11.

    python3.11 scripts/dev.py start   # environment, migrations, demo data, web + scheduler
    python3.11 scripts/dev.py test    # environment with test tools, then the whole test suite

Both commands can be run again without harm: the environment (.venv) is only created once and
pip only installs what is missing; migrations and demo data are idempotent.
`start --port 5001` serves on another port (on macOS, AirPlay Receiver takes 5000).
Extra arguments after `test` go to pytest (e.g. `scripts/dev.py test -k login`).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The supported Pythons: 3.11 (what the Quick start asks for) up to 3.13, which CI runs the suite on too.
SUPPORTED = ((3, 11), (3, 12), (3, 13))
#: 3.11 uses .venv; another supported Python its own environment beside it (e.g. .venv-3.13).
_VERSION = sys.version_info[:2]
VENV = ROOT / (".venv" if _VERSION == (3, 11) else f".venv-{_VERSION[0]}.{_VERSION[1]}")
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


#: Requirement files that include requirements.txt: an environment installed from one needs nothing more.
SUPERSETS = {"requirements.txt": ("requirements-test.txt",)}
DEFAULT_PORT = 5000


def ensure_environment(requirements: str) -> None:
    """Create .venv once and install the pinned requirements when they changed."""
    if sys.version_info[:2] not in SUPPORTED:
        sys.exit(f"Werkbrug needs Python 3.11, 3.12 or 3.13; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print(f"Creating the environment in {VENV.name} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if any(_installed(name) for name in (requirements, *SUPERSETS.get(requirements, ()))):
        return
    req_file = ROOT / requirements
    print(f"Installing {requirements} ...", flush=True)
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(req_file)],
        check=True,
        cwd=ROOT,
    )
    _stamp(requirements).write_text(_requirements_digest(req_file))


def _stamp(requirements: str) -> Path:
    return VENV / f".installed-{Path(requirements).stem}"


def _installed(requirements: str) -> bool:
    """Whether .venv was installed from exactly these requirement files as they are now."""
    stamp = _stamp(requirements)
    return stamp.exists() and stamp.read_text() == _requirements_digest(ROOT / requirements)


def _requirements_digest(req_file: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted({req_file, ROOT / "requirements.txt"}):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def flask(*args: str, env: dict | None = None) -> None:
    subprocess.run([str(PYTHON), "-m", "flask", "--app", "app", *args], check=True, cwd=ROOT, env=env)


def start(port: int = DEFAULT_PORT) -> int:
    if not _port_free(port):
        print(
            f"Port {port} is already in use (on macOS AirPlay Receiver uses 5000). Choose another one:\n"
            f"    python3.11 scripts/dev.py start --port {port + 1}",
            file=sys.stderr,
        )
        return 1
    ensure_environment("requirements.txt")
    env = start_env(port)
    flask("db", "upgrade", env=env)
    flask("seed-demo", env=env)
    print(f"\nWerkbrug runs at {env['BASE_URL']}  (stop with Ctrl+C)")
    print(
        "Demo accounts: werkgever@ | gemeente@ | jobcoach@ | beheer@demo.werkbrug.nl,",
        "password werkbrug-demo\n",
        flush=True,
    )
    scheduler = subprocess.Popen([str(PYTHON), "-m", "flask", "--app", "app", "scheduler"], cwd=ROOT, env=env)
    web = subprocess.Popen(
        [str(PYTHON), "-m", "flask", "--app", "app", "run", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
    )
    return _supervise({"web server": web, "scheduler": scheduler}, port)


def start_env(port: int) -> dict[str, str]:
    """The environment of the development processes: e-mailed links point at the port we serve on."""
    env = {**os.environ, "WERKBRUG_ENV": os.environ.get("WERKBRUG_ENV", "development")}
    env["BASE_URL"] = os.environ.get("BASE_URL") or f"http://127.0.0.1:{port}"
    return env


def _port_free(port: int) -> bool:
    """Nothing answers on the port (a connection, not a bind: a port we just left is still free)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except OSError:
        return True


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt


#: What to do when a process stopped by itself with this exit status.
ADVICE = {
    ("scheduler", 1): "Another scheduler already runs for this instance folder (a second `dev.py start`?). "
    "Stop that one first.",
    ("scheduler", 3): "It lost its single-scheduler lock (was instance/scheduler.lock removed?).",
}


def _supervise(children: dict[str, subprocess.Popen], port: int = DEFAULT_PORT) -> int:
    """Run until Ctrl+C (or SIGTERM) or until one child stops; then stop the others too.

    A child that stops by itself is reported loudly on stderr (which one, its exit status and what to do);
    the result is then its exit status (at least 1). After Ctrl+C it is 0.
    """
    previous = {number: signal.signal(number, _stop) for number in (signal.SIGINT, signal.SIGTERM)}
    stopped: tuple[str, int] | None = None
    try:
        while stopped is None:
            stopped = next(
                ((name, child.returncode) for name, child in children.items() if child.poll() is not None),
                None,
            )
            if stopped is None:
                time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        for child in children.values():
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        for number, handler in previous.items():
            signal.signal(number, handler)
    if stopped is None:
        return 0
    name, status = stopped
    how = f"was ended by signal {-status}" if status < 0 else f"stopped by itself with exit status {status}"
    advice = ADVICE.get((name, status)) or (
        f"Is port {port} in use? Then start with --port {port + 1}." if name == "web server" else ""
    )
    again = "python3.11 scripts/dev.py start" + ("" if port == DEFAULT_PORT else f" --port {port}")
    others = " and ".join(other for other in children if other != name)
    print(
        f"\n!!! Werkbrug stopped: the {name} {how}. Its messages are above.\n"
        + (f"!!! {advice}\n" if advice else "")
        + f"!!! Stopped the {others} too. Start again with: {again}",
        file=sys.stderr,
        flush=True,
    )
    return status if status > 0 else 1


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
        parser = argparse.ArgumentParser(prog="scripts/dev.py start", description="Serve the portal locally.")
        parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port to serve on (default 5000)")
        return start(parser.parse_args(argv[1:]).port)
    return test(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
