"""The README: two commands to start, and links only to what a clone of the repository has."""

from __future__ import annotations

import re

from tests.processes import ROOT

README = (ROOT / "README.md").read_text()
#: Paths in backticks or in Markdown links that name a file (``portal/scheduler.py``, ``../x/y.md``).
FILE_REFERENCE = re.compile(r"`([\w./-]+\.(?:py|md|sh|txt|json|toml|example))`|\]\(([^)#\s]+)\)")


def test_quick_start_is_two_shell_commands():
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)```", quick_start, re.S)
    assert [command.strip() for command in commands] == [
        "python3.11 scripts/dev.py start",
        "python3.11 scripts/dev.py test",
    ]


def test_every_file_the_readme_names_is_in_the_repository():
    named = {a or b for a, b in FILE_REFERENCE.findall(README)}
    named = {path for path in named if not path.startswith(("http://", "https://", "mailto:"))}
    assert "scripts/vendor-css.sh" in named
    missing = [path for path in sorted(named) if not (ROOT / path).resolve().is_relative_to(ROOT)]
    missing += [path for path in sorted(named) if not (ROOT / path).exists()]
    assert missing == []
