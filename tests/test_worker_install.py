"""A work-pool worker whose Python lacks the project: the flow run's entrypoint fails with that
cause in one line (flows.installed), not with a traceback about a dependency deep inside.

The environment is real: a new virtualenv that sees every package of this one except
ticket-insights itself and one of its dependencies (hdbscan), and the entrypoint is
loaded from the project folder the way prefect.yaml's pull step sets it."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

from tests.conftest import REPO


def _env_without_project(root: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    site = Path(sysconfig.get_paths()["purelib"])
    shadow = root / "shadow-site"
    shadow.mkdir()
    for entry in site.iterdir():  # everything but the project and one of its dependencies
        name = entry.name.lower()
        if "ticket_insights" in name or name.startswith(("hdbscan", "__editable__")):
            continue
        (shadow / entry.name).symlink_to(entry)
    target = next((root / "lib").glob("python3*")) / "site-packages"
    (target / "shadow.pth").write_text(f"{shadow}\n", encoding="utf-8")
    return root / "bin" / "python"


def test_entrypoint_without_the_project_fails_in_one_line(tmp_path):
    python = _env_without_project(tmp_path / "worker-env")
    got = subprocess.run(
        [str(python), "-c", "import flows.entrypoints"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert got.returncode != 0
    last = got.stderr.strip().splitlines()[-1]
    assert last.startswith("flows.installed.ProjectNotInstalled: ticket-insights is not installed")
    assert "missing hdbscan" in last and "pip install -e ." in last
    assert str(python.parent) in last
    assert "ModuleNotFoundError" not in got.stderr


def test_entrypoint_with_the_project_loads_its_flows():
    got = subprocess.run(
        [sys.executable, "-c", "import flows.entrypoints as e; print(e.__all__)"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert got.returncode == 0, got.stderr
    assert "refresh_flow" in got.stdout
