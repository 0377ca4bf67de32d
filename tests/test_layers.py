"""The dependency rule of DESIGN.md, checked on the source: imports only go downwards,
Slack types stay in bot/, SQLite stays in conversations/, and advisor/ does no I/O."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "advisor": {"conversations", "bot", "slack_bolt", "slack_sdk", "sqlite3", "sqlite_utils",
                "os", "socket", "urllib", "http", "subprocess", "time", "datetime", "random",
                "pydantic_settings"},
    "conversations": {"bot", "slack_bolt", "slack_sdk", "socket", "urllib", "http",
                      "subprocess"},
}
# Calls that read or write outside the package data, whatever module they come from.
IO_CALLS = {"open", "input", "print"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def called_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return {node.func.id for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}


def test_imports_only_go_downwards() -> None:
    problems = []
    for package, banned in FORBIDDEN.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            bad = imported_roots(path) & banned
            if bad:
                problems.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert problems == []


def test_advisor_does_no_io() -> None:
    problems = [f"{p.relative_to(ROOT)} calls {sorted(called_names(p) & IO_CALLS)}"
                for p in sorted((ROOT / "advisor").rglob("*.py"))
                if called_names(p) & IO_CALLS]
    assert problems == []


def test_the_rule_is_checked_on_real_files() -> None:
    # Guard against the walk finding nothing (a moved package would pass vacuously).
    assert len(list((ROOT / "advisor").rglob("*.py"))) >= 10
    assert "slack_bolt" in imported_roots(ROOT / "bot" / "app.py")
