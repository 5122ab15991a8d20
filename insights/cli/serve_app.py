"""`insights app`: the Streamlit server as a child process that never outlives this one.

The child runs in its own process group; SIGTERM, SIGINT and SIGHUP that reach this process are
forwarded to that group (Ctrl+C in a terminal reaches the server once, through us), and on Linux
the child asks the kernel for SIGTERM when this process dies without a chance to forward
anything (SIGKILL, a crash): ``prctl(PR_SET_PDEATHSIG)``.

Serving beyond loopback without any login (no INSIGHTS_APP_PASSWORD, no ``[auth]`` section in a
secrets.toml Streamlit reads) would show every ticket, and let anyone change tags, to the whole
network: refused with exit 2 and the reason, unless ``--insecure`` says it is meant.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import ipaddress
import os
import signal
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from insights.cli.common import DbOption, app, fail, note, open_store, read_settings
from insights.settings import Settings, child_env

FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
PR_SET_PDEATHSIG = 1
#: How long the server may take to stop after a forwarded signal before it is killed.
STOP_SECONDS = 10.0


def _die_with(parent: int) -> Callable[[], None]:
    """preexec_fn of the child (runs between fork and exec): SIGTERM when `parent` dies."""

    def arm() -> None:
        if sys.platform.startswith("linux"):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return arm


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def run_child(command: list[str], env: dict[str, str]) -> int:
    """Run `command` until it ends or a signal stops us (forwarded to it); returns the exit
    code to give: the child's, or 0 when it stopped on a forwarded signal."""
    proc = subprocess.Popen(
        command, env=env, start_new_session=True, preexec_fn=_die_with(os.getpid())
    )
    forwarded: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        forwarded.append(signum)
        _signal_group(proc.pid, signum)

    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED}
    try:
        code = proc.wait()
    finally:
        if proc.poll() is None:  # we are leaving for another reason: take the server along
            _signal_group(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                _signal_group(proc.pid, signal.SIGKILL)
                proc.wait()
        _signal_group(proc.pid, signal.SIGTERM)  # anything the server itself started
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if forwarded and (code == 0 or -code in forwarded):
        return 0
    return code


def is_loopback(host: str) -> bool:
    """Whether binding `host` reaches this machine only ("" and 0.0.0.0 mean every interface;
    a host name other than localhost may be any interface)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def secrets_files(script: Path, cwd: Path | None = None, home: Path | None = None) -> list[Path]:
    """The secrets.toml files Streamlit reads for the app, in its order: the user's
    (~/.streamlit), the working directory's, the app folder's."""
    cwd = cwd or Path.cwd()
    home = home or Path.home()
    return [
        home / ".streamlit" / "secrets.toml",
        cwd / ".streamlit" / "secrets.toml",
        script.parent / ".streamlit" / "secrets.toml",
    ]


def login_kind(settings: Settings, files: list[Path]) -> str | None:
    """How the app will ask people to sign in: "oidc" (an [auth] section in a secrets file,
    Streamlit's st.login), "password" (INSIGHTS_APP_PASSWORD), or None (no login). A secrets
    file that is not TOML is a one-line error, as Streamlit would fail on it too."""
    for path in files:
        if not path.is_file():
            continue
        try:
            secrets = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise fail(f"cannot read {path}: {exc}") from None
        if isinstance(secrets.get("auth"), dict):
            return "oidc"
    password = settings.app.password
    return "password" if password and password.get_secret_value() else None


@app.command("app")
def app_cmd(
    port: Annotated[int, typer.Option(help="port to listen on")] = 8501,
    host: Annotated[
        str, typer.Option(help="address to bind (0.0.0.0 exposes it to the network)")
    ] = "127.0.0.1",
    insecure: Annotated[
        bool,
        typer.Option(
            "--insecure",
            help="serve beyond loopback without a login (anyone who reaches it reads and edits)",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Start the Streamlit app (ranked themes, theme pages, tagging) and print its URL."""
    if importlib.util.find_spec("streamlit") is None:
        raise fail("streamlit is not installed in this environment")
    script = Path(__file__).resolve().parents[2] / "app" / "Home.py"
    if not script.is_file():
        raise fail(f"the app is not installed next to the package: {script} is missing")
    configured = read_settings(db)
    login = login_kind(configured, secrets_files(script))
    if login is None and not is_loopback(host):
        if not insecure:
            raise fail(
                f"--host {host} would serve every ticket, and let anyone edit, without a login: "
                "set INSIGHTS_APP_PASSWORD (and INSIGHTS_APP_ROLES) or an [auth] section in "
                ".streamlit/secrets.toml, or pass --insecure to serve it open anyway"
            )
        print(
            f"warning: --insecure: serving on {host} without a login; anyone who reaches port "
            f"{port} reads every ticket and may change tags, titles, merges and splits",
            file=sys.stderr,
        )
    elif login is None and configured.app.roles:
        note("INSIGHTS_APP_ROLES applies only with a login: without one, everyone may edit")
    elif login is not None and not configured.app.roles:
        note(
            "no INSIGHTS_APP_ROLES: everyone who signs in is a viewer and nobody can change "
            "anything; grant roles, e.g. INSIGHTS_APP_ROLES='you@shop.co=admin,*=lead:*'"
        )
    settings, _ = open_store(db)  # migrates the store, and fails here with one line if it can't
    command = [
        sys.executable,
        # `streamlit run` after the pages' imports: the first visitor does not wait for them
        str(script.parent / "serve.py"),
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    print(f"ticket-insights app: http://{shown}:{port}  (Ctrl+C stops it)", flush=True)
    raise typer.Exit(run_child(command, child_env(settings)))
