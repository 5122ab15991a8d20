"""Scheduled deployments of the flows, served by `insights serve` against a Prefect server.

`refresh` runs daily (INSIGHTS_REFRESH_CRON, default 06:00) and picks up the drop folder;
`daily-alerts` runs after it (INSIGHTS_ALERTS_CRON, default 07:00) and sends the day's new
spikes; `weekly-digest` runs on Monday morning (INSIGHTS_DIGEST_CRON, default 08:00); all in the
time zone INSIGHTS_SCHEDULE_TZ (default UTC). For work pools instead of a long-running `serve`
process, see prefect.yaml at the repository root.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from insights.settings import ScheduleSettings, process_env


class ServeError(Exception):
    """Serving cannot start; the message is one line for the user."""


def check_schedule(schedule: ScheduleSettings) -> ScheduleSettings:
    """Check the schedule settings with Prefect's own parser, so a typo fails before anything
    is served; returns them unchanged."""
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    for name, value in (
        ("INSIGHTS_REFRESH_CRON", schedule.refresh_cron),
        ("INSIGHTS_DIGEST_CRON", schedule.digest_cron),
        ("INSIGHTS_ALERTS_CRON", schedule.alerts_cron),
    ):
        try:
            CronSchedule(cron=value, timezone=schedule.tz)
        except ValidationError as exc:
            field = exc.errors()[0]["loc"][0] if exc.errors() else "cron"
            if field == "timezone":
                raise ServeError(
                    f"INSIGHTS_SCHEDULE_TZ is not a known time zone: {schedule.tz!r}"
                ) from None
            raise ServeError(f"{name} is not a valid cron expression: {value!r}") from None
    return schedule


def prefect_api_configured() -> bool:
    """Whether Prefect has an API URL (PREFECT_API_URL), importing Prefect only when something
    could set one: `insights refresh` without a server then runs in-process and saves
    Prefect's import (~1.5 s) as well as its temporary server.

    The environment answers first. Prefect also reads the URL from its profiles file, a
    prefect.toml, a .env or pyproject.toml's [tool.prefect] in the working folder, and from
    settings a process entered in code (a test harness): when Prefect is already imported or
    any of those files may set it, Prefect's own settings decide.
    """
    if process_env("PREFECT_API_URL"):
        return True
    if "prefect.settings" not in sys.modules and not _prefect_config_files():
        return False
    from prefect.settings import PREFECT_API_URL

    return bool(PREFECT_API_URL.value())


def _prefect_config_files() -> list[Path]:
    """Files in which Prefect could find an API URL (see prefect.settings.sources)."""
    home = Path(process_env("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    profiles = Path(process_env("PREFECT_PROFILES_PATH") or home / "profiles.toml").expanduser()
    found = [p for p in (profiles, Path("prefect.toml")) if p.is_file()]
    for path, marker in ((Path(".env"), "PREFECT_"), (Path("pyproject.toml"), "tool.prefect")):
        if path.is_file() and marker in path.read_text(encoding="utf-8", errors="replace"):
            found.append(path)
    return found


def check_server(required: bool = True, timeout: float = 5.0) -> str | None:
    """The configured PREFECT_API_URL if a Prefect server answers there; ServeError otherwise.

    With `required`, an unset PREFECT_API_URL is an error too: schedules live in the server's
    database, and serving against the throwaway temporary server would lose them. Without
    it (a one-off flow run), unset means "use the temporary server" and None is returned.
    """
    import httpx
    from prefect.settings import PREFECT_API_URL

    url = (PREFECT_API_URL.value() or "").rstrip("/")
    if not url:
        if not required:
            return None
        raise ServeError(
            "PREFECT_API_URL is not set: start a server with `prefect server start` and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    try:
        response = httpx.get(f"{url}/health", timeout=timeout)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        reason = type(exc).__name__
        if isinstance(exc, httpx.HTTPStatusError):
            reason = f"HTTP {exc.response.status_code}"
        raise ServeError(f"no Prefect server answers at PREFECT_API_URL={url} ({reason})") from None
    return url


def build_deployments(
    config: ScheduleSettings,
    db_url: str | None = None,
    inbox: str | None = None,
    runner: str = "sequential",
) -> list[Any]:
    """The runner deployments with their cron schedules (nothing is registered yet)."""
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    from flows.alerts import daily_alerts
    from flows.digest import weekly_digest
    from flows.refresh import refresh_flow

    refresh_params: dict[str, Any] = {"runner": runner}
    digest_params: dict[str, Any] = {}
    alerts_params: dict[str, Any] = {}
    if db_url:
        refresh_params["db_url"] = digest_params["db_url"] = alerts_params["db_url"] = db_url
    if inbox:
        refresh_params["inbox"] = inbox
    specs = [
        (
            refresh_flow,
            "daily-refresh",
            config.refresh_cron,
            refresh_params,
            "Ingest the drop folder, embed, refresh themes, rank the week.",
        ),
        (
            weekly_digest,
            "weekly-digest",
            config.digest_cron,
            digest_params,
            "Build, store and send the weekly digest.",
        ),
        (
            daily_alerts,
            "daily-alerts",
            config.alerts_cron,
            alerts_params,
            "Check yesterday for spikes per region, send each new one to its subscribers.",
        ),
    ]
    return [
        flow.to_deployment(
            name=name,
            schedules=[Cron(cron, timezone=config.tz)],
            parameters=parameters,
            description=description,
            tags=["ticket-insights"],
            # by module, not file path: works from any working directory (project installed)
            entrypoint_type=EntrypointType.MODULE_PATH,
        )
        for flow, name, cron, parameters, description in specs
    ]
