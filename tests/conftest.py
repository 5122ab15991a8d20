"""Shared fixtures: every test gets its own store under a temp INSIGHTS_HOME, offline.

Speed without fakes: slow set-ups happen once per session and are copied per test.
- A store at the current schema is migrated once per backend (a SQLite file, a PostgreSQL schema
  dump) and copied for each test (`db_url`); `empty_db_url` is a store with no schema at all.
- Stores after a real refresh (embedded with the real model, clustered with UMAP) are built
  once on SQLite (`seeded`) and copied into each test's store on either backend.
- UMAP's numba code is compiled once: NUMBA_CACHE_DIR points at one cache for the session and
  every process it starts. Tests that run a refresh in a process of their own fork it from a
  server that has imported the model stack and loaded that code (tests/forked.py).
- Leaks fail the session: every process a test started (children and grandchildren, found by
  a token in their environment) must have ended when the session ends.
"""

from __future__ import annotations

import csv
import os
import shutil
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample"
BENCHMARKS = REPO.parent / "shared" / "benchmarks"
SESSION_TOKEN = uuid.uuid4().hex
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="insights-tests-"))

for _name, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "TOKENIZERS_PARALLELISM": "false",
    # Prefect's temporary server gets time to start on a busy machine (its default is 20 s);
    # set here because test modules import Prefect before `flows` could set it
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    "PREFECT_HOME": str(_SESSION_DIR / "prefect"),
    # compiled once, shared with every subprocess (kept between sessions: numba checks the
    # source it compiled, so an upgraded package recompiles)
    "NUMBA_CACHE_DIR": str(REPO / ".cache" / "numba"),
}.items():
    os.environ.setdefault(_name, _value)
# The product's settings a developer's shell may carry (INSIGHTS_EMBEDDING_MODEL=fast after a
# benchmark, say) would change what every test runs: the tests start from the defaults.
for _name in [n for n in os.environ if n.startswith("INSIGHTS_")]:
    if not _name.startswith("INSIGHTS_TEST_"):
        del os.environ[_name]
os.environ["INSIGHTS_TEST_SESSION"] = SESSION_TOKEN

_PG_BASE_URL = os.environ.get("INSIGHTS_TEST_PG_URL")
#: pytest-xdist's name of this worker (`gw0`, ...): each worker gets a database of its own.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def _worker_database(url: str | None) -> str | None:
    """INSIGHTS_TEST_PG_URL itself, or under pytest-xdist a database per worker next to it
    (created when missing: tests drop and rebuild its schema, so workers must not share)."""
    if not url or not _WORKER:
        return url
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{_WORKER}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


PG_URL = _worker_database(_PG_BASE_URL)


@pytest.fixture(autouse=True)
def insights_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("INSIGHTS_HOME", str(home))
    monkeypatch.delenv("INSIGHTS_DB_URL", raising=False)
    return home


@pytest.fixture(autouse=True)
def _main_module_kept() -> Iterator[None]:
    """Streamlit's script runner (AppTest) leaves the page it ran as `sys.modules["__main__"]`;
    a process pool started later in the same worker (ingest's, `insights.ingest.load`) would
    run that page again in each spawned child, as multiprocessing re-imports the parent's main
    module there. The real main module is put back after every test."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


@pytest.fixture(scope="session", autouse=True)
def _component_scan_once() -> None:
    """Every AppTest scans all installed distributions' metadata for Streamlit components
    (1-5 s a page run, most of an app test's time). The installed packages do not change during
    a session, so the scan runs once per worker; pages still run through Streamlit in full."""
    import functools

    try:
        from streamlit.components.v2 import manifest_scanner
    except ImportError:  # an older Streamlit has no such scan
        return
    scan = manifest_scanner.scan_component_manifests
    if not hasattr(scan, "cache_info"):
        manifest_scanner.scan_component_manifests = functools.cache(scan)


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> Iterator[None]:
    """Each test's store is new, but on PostgreSQL it has the URL (and often the ids) of the
    store before it: what a process kept of that one must not show up in this one."""
    from insights.ingest.prepare import forget_inputs
    from insights.views.frame import clear_frames

    clear_frames()
    forget_inputs()
    yield


# --------------------------------------------------------------------------- stores


def _drop_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


class SchemaTemplates:
    """A store at the current schema, migrated once per backend, then copied."""

    def __init__(self) -> None:
        self._sqlite: Path | None = None
        self._pg_ddl: str | None = None
        self._pg_revision: str | None = None

    def sqlite(self, path: Path) -> None:
        from insights.store.db import connect

        if self._sqlite is None:
            template = _SESSION_DIR / "schema.db"
            connect(f"sqlite:///{template}").dispose()  # closing checkpoints the WAL
            self._sqlite = template
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self._sqlite, path)

    def postgres(self, url: str) -> None:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        from insights.jobs.backup import find_pg_tool
        from insights.settings import subprocess_env
        from insights.store.db import connect, current_revision

        _drop_postgres(url)
        if self._pg_ddl is None:
            import subprocess

            engine = connect(url)
            self._pg_revision = current_revision(engine)
            engine.dispose()
            parsed = make_url(url)
            uri = parsed.set(drivername="postgresql", password=None).render_as_string(
                hide_password=False
            )
            dump = subprocess.run(
                [find_pg_tool("pg_dump"), "--schema-only", "--no-owner", "--schema=public", uri],
                env=subprocess_env(PGPASSWORD=str(parsed.password or "")),
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            # psql meta-commands (\restrict ...) are for psql, not for the server
            self._pg_ddl = "\n".join(x for x in dump.splitlines() if not x.startswith("\\"))
            return
        engine = create_engine(url)
        with engine.begin() as conn:
            if "CREATE SCHEMA public" in self._pg_ddl:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql(self._pg_ddl)
            conn.exec_driver_sql("SELECT pg_catalog.set_config('search_path', 'public', false)")
            conn.execute(
                text("INSERT INTO alembic_version (version_num) VALUES (:v)"),
                {"v": self._pg_revision},
            )
        engine.dispose()


_templates = SchemaTemplates()


def _backend_url(request, insights_home: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{insights_home / 'insights.db'}"
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must set INSIGHTS_TEST_PG_URL (see .ci/run)")
        pytest.skip(
            "no PostgreSQL: set INSIGHTS_TEST_PG_URL (bash .ci/start-postgres.sh prints one)"
        )
    return PG_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, insights_home, monkeypatch) -> str:
    """A fresh store at the current schema on each backend; also exported as INSIGHTS_DB_URL
    for CLI calls. PostgreSQL runs when INSIGHTS_TEST_PG_URL is set (CI always sets it: see
    .ci/run); locally it is skipped with a reason. In CI a missing URL is an error."""
    url = _backend_url(request, insights_home)
    if url.startswith("sqlite"):
        _templates.sqlite(insights_home / "insights.db")
    else:
        _templates.postgres(url)
    monkeypatch.setenv("INSIGHTS_DB_URL", url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request, insights_home, monkeypatch) -> str:
    """A database with no schema at all (migrations, restores into a new server)."""
    url = _backend_url(request, insights_home)
    if not url.startswith("sqlite"):
        _drop_postgres(url)
    monkeypatch.setenv("INSIGHTS_DB_URL", url)
    return url


def first_batch_and_run(session, now, model_id: str = "test") -> None:
    """Batch 1 and a finished full run 1: what hand-built stores hang tickets and themes on."""
    from insights.store.models import Batch, Run

    session.add(Batch(id=1, source_path="t.csv", source="test", file_sha256="h", started_at=now))
    session.add(
        Run(
            id=1,
            mode="full",
            status="ok",
            model_id=model_id,
            parameters={},
            stats={},
            started_at=now,
            finished_at=now,
        )
    )
    session.flush()


def sync_sequences(engine) -> None:
    """Fixtures insert rows with explicit ids; on PostgreSQL move each id sequence past them so
    rows the code under test inserts later get fresh ids (SQLite needs nothing)."""
    if engine.dialect.name != "postgresql":
        return
    from sqlalchemy import inspect, text

    with engine.begin() as conn:
        for table in inspect(conn).get_table_names():
            columns = {c["name"] for c in inspect(conn).get_columns(table)}
            if "id" not in columns:
                continue
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false) "
                    f"WHERE pg_get_serial_sequence('{table}', 'id') IS NOT NULL"
                )
            )


def copy_rows(source_url: str, target_url: str) -> None:
    """Every row of the store at `source_url` into the store at `target_url` (both at the
    current schema, the target empty), then the target's id sequences past them."""
    from sqlalchemy import insert, select

    from insights.store.db import connect, make_engine
    from insights.store.models import Base

    source = make_engine(source_url)
    target = connect(target_url)
    with source.connect() as src, target.begin() as dst:
        for table in Base.metadata.sorted_tables:
            rows = [dict(r._mapping) for r in src.execute(select(table))]
            if rows:
                dst.execute(insert(table), rows)
    source.dispose()
    sync_sequences(target)
    target.dispose()


# --------------------------------------------------------------------------- seeded stores


def sample_rows(start: int, count: int) -> list[dict]:
    import csv

    with (SAMPLE / "tickets.csv").open(encoding="utf-8", newline="") as fh:
        return [r for i, r in enumerate(csv.DictReader(fh)) if start <= i < start + count]


def write_rows(path: Path, rows: list[dict]) -> Path:
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_sample(path: Path, start: int, count: int) -> Path:
    """Rows start..start+count of the shipped sample, as their own CSV file."""
    return write_rows(path, sample_rows(start, count))


class Seeds:
    """Stores after a real ingest and refresh, built once per session on SQLite, by name."""

    def __init__(self) -> None:
        self._built: dict[str, tuple[Path, object]] = {}

    def get(self, name: str, build: Callable[[str], object]) -> tuple[Path, object]:
        if name not in self._built:
            path = _SESSION_DIR / "seeds" / f"{name}.db"
            path.parent.mkdir(parents=True, exist_ok=True)
            result = build(f"sqlite:///{path}")
            from insights.store.db import make_engine

            make_engine(f"sqlite:///{path}").dispose()
            self._built[name] = (path, result)
        return self._built[name]


_seeds = Seeds()


@pytest.fixture
def seeded(db_url) -> Callable[[str, Callable[[str], object]], object]:
    """`seeded(name, build)`: the test's store (`db_url`) filled with a copy of the store that
    `build(url)` made once this session (on SQLite); returns what `build` returned."""

    def fill(name: str, build: Callable[[str], object]) -> object:
        path, result = _seeds.get(name, build)
        if db_url.startswith("sqlite"):
            target = Path(db_url.removeprefix("sqlite:///"))
            for suffix in ("-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(path, target)
        else:
            copy_rows(f"sqlite:///{path}", db_url)
        return result

    return fill


def sqlite_copy(name: str, build: Callable[[str], object], path: Path) -> object:
    """A copy at `path` (SQLite) of the seeded store `name`; returns what its build returned."""
    source, result = _seeds.get(name, build)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, path)
    return result


def ingested_sample(url: str):
    """The whole shipped sample ingested (8,000 tickets: language detection, redaction)."""
    from insights.ingest.load import ingest_file
    from insights.settings import load_settings
    from insights.store.db import connect

    engine = connect(url)
    result = ingest_file(engine, SAMPLE / "tickets.csv", load_settings(url))
    engine.dispose()
    return result


def seed_vectors(target_url: str, name: str, path: Path) -> None:
    """Cached vectors of the tickets in file `path` (embedded once per session with the
    configured model) copied into the store at `target_url`: a test about what comes after
    embedding does not embed the same texts again."""
    from sqlalchemy import insert, select

    from insights.store.db import connect, make_engine
    from insights.store.models import Embedding

    def build(url: str) -> None:
        from insights.ingest.load import ingest_file
        from insights.jobs.embedding import embed_missing
        from insights.settings import load_settings

        settings = load_settings(url)
        engine = connect(url)
        ingest_file(engine, path, settings)
        embed_missing(engine, settings)
        engine.dispose()

    bank, _ = _seeds.get(f"vectors-{name}", build)
    source = make_engine(f"sqlite:///{bank}")
    with source.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(Embedding.__table__))]
    source.dispose()
    target = connect(target_url)
    with target.begin() as conn:
        have = {tuple(r) for r in conn.execute(select(Embedding.model_id, Embedding.content_hash))}
        rows = [r for r in rows if (r["model_id"], r["content_hash"]) not in have]
        if rows:
            conn.execute(insert(Embedding.__table__), rows)
    target.dispose()


def first_refresh(url: str, count: int = 150, max_tokens: str = "32"):
    """Ingest the first `count` sample tickets and refresh (real model, real UMAP)."""
    from insights.ingest.load import ingest_file
    from insights.jobs.refresh import refresh
    from insights.settings import load_settings
    from insights.store.db import connect

    previous = os.environ.get("INSIGHTS_EMBED_MAX_TOKENS")
    os.environ["INSIGHTS_EMBED_MAX_TOKENS"] = max_tokens
    try:
        settings = load_settings(url)
        engine = connect(url)
        ingest_file(engine, write_sample(_SESSION_DIR / f"first-{count}.csv", 0, count), settings)
        result = refresh(engine, settings)
        engine.dispose()
    finally:
        if previous is None:
            os.environ.pop("INSIGHTS_EMBED_MAX_TOKENS", None)
        else:
            os.environ["INSIGHTS_EMBED_MAX_TOKENS"] = previous
    return result


def tiny_tokenizer(words: list[str]):
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {"[UNK]": 0, **{w: i + 1 for i, w in enumerate(words)}}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    return tok


def tiny_model(folder, words: list[str], table, marker: bool = False):
    """A StaticEmbedding folder over `words` (row 0 = unknown word, zero); `marker`: marked as
    the fast tier (or a model adapted from it)."""
    import numpy as np

    from insights.embed.fast_model import MARKER, save_static_model

    full = np.vstack([np.zeros((1, table.shape[1]), np.float32), table]).astype(np.float32)
    save_static_model(folder, tiny_tokenizer(words), full, {"model_id": folder.name})
    if not marker:
        (folder / MARKER).unlink()
    return folder


def word_model(folder: Path, tickets: Path) -> Path:
    """A sentence-transformers StaticEmbedding over every word of the ticket file `tickets`
    (seeded random vectors): for tests about how a run is carried out (deployments, a Dask
    cluster) rather than what it finds; it loads and embeds in milliseconds."""
    import numpy as np
    from tokenizers import pre_tokenizers

    split = pre_tokenizers.Whitespace().pre_tokenize_str
    with tickets.open(encoding="utf-8") as fh:
        words = sorted({w for row in csv.DictReader(fh) for v in row.values() for w, _ in split(v)})
    table = np.random.default_rng(0).normal(size=(len(words), 32)).astype(np.float32)
    return tiny_model(folder, words, table)


def wait_until_healthy(url: str, proc, log: Callable[[], str] = str, timeout: float = 180) -> None:
    """Wait until `url` answers 200 while the server process `proc` runs; otherwise fail the
    test with the end of the process's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"exited with {proc.returncode} before {url} answered:\n{log()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"{url} did not answer within {timeout:.0f} s:\n{log()[-3000:]}")


# --------------------------------------------------------------------------- leaks


def _session_processes() -> list:
    """Processes other than this one that carry this session's token (started by a test, or
    by something a test started)."""
    import psutil

    me = os.getpid()
    found = []
    for proc in psutil.process_iter(["pid"]):
        if proc.pid == me:
            continue
        try:
            if proc.environ().get("INSIGHTS_TEST_SESSION") == SESSION_TOKEN:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def _stop_prefect_servers() -> None:
    """Prefect's temporary API servers stop at interpreter exit; stop them before the check."""
    import sys

    server = sys.modules.get("prefect.server.api.server")
    if server is not None:
        for instance in list(server.SubprocessASGIServer._instances.values()):
            instance.stop()


#: Modules whose tests take tens of seconds each (servers, workers, real processes): they run
#: first, so the two xdist workers end on short tests instead of one waiting on the other.
LONG_FIRST = (
    "test_deployment.py",
    "test_dask_cluster.py",
    "test_crash_safety.py",
    "test_app_browser.py",
    "test_categories_store.py",
    "test_concurrency.py",
    "test_job_lock.py",
    "test_pipeline_e2e.py",
)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups into node ids
def pytest_collection_modifyitems(session, config, items) -> None:
    """Long modules first (LONG_FIRST; the order within a module is kept). Tests that use the
    session's Prefect server go to one xdist group, so one server is started, not one per
    worker (each took 30-45 s of a loaded worker). Start the warm fork server early when a
    collected test forks from it (tests/forked.py): its one-off compile then overlaps the tests
    before."""
    from tests import forked

    def rank(item) -> int:
        name = Path(str(item.fspath)).name
        return LONG_FIRST.index(name) if name in LONG_FIRST else len(LONG_FIRST)

    items.sort(key=rank)
    for item in items:  # with `--dist loadgroup` (make test) one worker runs them all
        if "prefect_api" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("prefect"))
    if any(getattr(item.module, "Forked", None) is forked.Forked for item in items):
        forked.start_server()


def pytest_runtest_setup(item) -> None:
    """A test pytest-xdist left out of its group (`--dist loadgroup`) fails: pytest 9.2 stopped
    reading the node ids xdist rewrites (pyproject keeps pytest below it), and every worker then
    started a Prefect server of its own (~40 s each)."""
    if (
        item.config.getoption("loadgroup", default=False)
        and item.get_closest_marker("xdist_group")
        and "@" not in item.nodeid
    ):
        pytest.fail(
            f"pytest {pytest.__version__} with pytest-xdist did not put this test in its "
            "xdist group (--dist loadgroup): install the versions pyproject.toml allows",
            pytrace=False,
        )


def pytest_sessionfinish(session, exitstatus) -> None:
    import psutil

    if session.config.pluginmanager.hasplugin("dsession"):
        shutil.rmtree(_SESSION_DIR, ignore_errors=True)
        return  # the pytest-xdist controller: its workers run the tests and check for leaks
    from tests import forked

    _stop_prefect_servers()
    forked.stop_server()
    left = _session_processes()
    _, alive = psutil.wait_procs(left, timeout=5)
    if alive:
        lines = []
        for proc in alive:
            try:
                lines.append(f"  pid {proc.pid}: {' '.join(proc.cmdline())[:160]}")
                proc.kill()
            except psutil.NoSuchProcess:
                continue
        if lines:
            print("\nprocesses started by tests are still running (killed now):")
            print("\n".join(lines))
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
    shutil.rmtree(_SESSION_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[str]:
    """One temporary Prefect server per test process, shared by every test that runs flows
    against a server (flows, Dask cluster, job lock, deployment): starting one costs 10-20 s
    of CPU. Those tests form one xdist group (pytest_collection_modifyitems)."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield PREFECT_API_URL.value()


@pytest.fixture(scope="session")
def session_dir() -> Iterator[Path]:
    yield _SESSION_DIR
