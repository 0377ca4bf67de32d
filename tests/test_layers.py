"""The dependency rule of DESIGN.md, checked on the source: imports only go downwards,
Slack types stay in bot/, SQLite stays in conversations/, and advisor/ does no I/O."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
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
    assert "slack_bolt" in imported_roots(ROOT / "bot" / "slack" / "app.py")


# ------------------------------------------------------------------ fronts and cycles

PACKAGES = ("advisor", "conversations", "bot")
SLACK_LIBRARIES = {"slack_bolt", "slack_sdk"}
# Below both fronts, and the entry point that chooses one (importing it only when it runs).
SHARED = {"bot", "bot.settings", "bot.main"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(p): p
            for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def _runs(node: ast.AST) -> bool:
    """False for `if TYPE_CHECKING:` blocks: their imports never execute."""
    test = node.test if isinstance(node, ast.If) else None
    return not (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")


def executed_imports(path: Path) -> list[str]:
    """Every module an executed import statement names, at module level or inside a function.

    `from pkg import name` yields `pkg.name` too, in case `name` is a submodule."""
    names: list[str] = []
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}".rstrip(".")
            names.append(base)
            names.extend(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            if _runs(child):
                visit(child)

    visit(ast.parse(path.read_text(), filename=str(path)))
    return names


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: {m for m in executed_imports(path) if m in modules and m != name}
            for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle as a list of modules (first repeated at the end), or [] if there is none."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    path: list[str] = []

    def walk(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := walk(nxt)):
                return found
        state[node] = 2
        path.pop()
        return []

    for start in sorted(graph):
        if start not in state and (found := walk(start)):
            return found
    return []


def test_no_import_cycles() -> None:
    assert find_cycle(import_graph()) == []


def test_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []


def test_graph_sees_deferred_imports() -> None:
    assert {"bot.slack.server", "bot.terminal.cli"} <= import_graph()["bot.main"]


def terminal_front() -> list[str]:
    return sorted(m for m in project_modules() if m.startswith("bot.terminal"))


def slack_front() -> list[str]:
    """Every other module of bot/ (Block Kit builders still at its top level included)."""
    terminal = set(terminal_front())
    return sorted(m for m in project_modules()
                  if m.startswith("bot.") and m not in SHARED and m not in terminal)


def test_the_fronts_are_where_the_check_looks() -> None:
    assert {"bot.terminal.cli", "bot.terminal.interview"} <= set(terminal_front())
    assert {"bot.slack.app", "bot.slack.server", "bot.slack.listeners.commands"} <= set(
        slack_front())


def test_slack_front_does_not_import_the_terminal_front() -> None:
    modules = project_modules()
    terminal = set(terminal_front())
    problems = [f"{m} imports {sorted(bad)}" for m in slack_front()
                if (bad := set(executed_imports(modules[m])) & terminal)]
    assert problems == []


def test_terminal_front_does_not_import_the_slack_front() -> None:
    modules = project_modules()
    slack = set(slack_front())
    problems = [f"{m} imports {imported}" for m in terminal_front()
                for imported in executed_imports(modules[m])
                if imported in slack or imported.split(".")[0] in SLACK_LIBRARIES]
    assert problems == []


def test_shared_modules_import_neither_front_at_load() -> None:
    # bot.main picks a front inside main(); at module level it, like bot.settings, stands
    # below both, so loading it costs neither.
    fronts = ("bot.slack", "bot.terminal")
    problems = []
    for m in sorted(SHARED):
        for node in ast.parse(project_modules()[m].read_text()).body:
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom) else
                     [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            problems += [f"{m} imports {n}" for n in names if n.startswith(fronts)]
    assert problems == []


def test_size_loads_neither_sqlite_nor_numpy_nor_slack() -> None:
    # Start time is measured by benchmarks/cli_start.py; this guards what makes it slow.
    code = ("import contextlib, io, sys\nfrom bot.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    main(['size', 'pool', '--cores', '8', '--json'])\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:])))")
    heavy = ["numpy", "slack_bolt", "slack_sdk", "sqlite_utils", "conversations"]
    done = subprocess.run([sys.executable, "-c", code, *heavy], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    assert done.stdout.strip() == "[]"


# ------------------------------------------------------------- fronts call the service

# The modules of bot/ that open the database; every other front module goes through the
# service (the delivery loop is handed the store as conversations.outbox.Outbox only).
STORE_USERS = {"bot.slack.deps", "bot.slack.preflight"}


def store_uses(path: Path) -> list[str]:
    """`conversations.store` imported, or an attribute reached through a `.store`."""
    tree = ast.parse(path.read_text(), filename=str(path))
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names]
    imported += [node.module for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module]
    found = [f"imports {m}" for m in imported
             if m == "conversations.store" or m.startswith("conversations.store.")]
    found += [f"line {node.lineno}: .store.{node.attr}" for node in ast.walk(tree)
              if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
              and node.value.attr == "store"]
    return found


def test_fronts_reach_the_database_only_through_the_service() -> None:
    modules = project_modules()
    problems = [f"{m}: {use}" for m in sorted(modules)
                if m.startswith("bot") and m not in STORE_USERS
                for use in store_uses(modules[m])]
    assert problems == []


def test_store_use_is_seen(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from conversations.store import Store\n\n"
                      "def f(conv):\n    return conv.store.get_advice(1)\n")
    assert store_uses(sample) == ["imports conversations.store", "line 4: .store.get_advice"]
