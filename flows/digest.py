"""The weekly digest flow: publish the week's ranked table, then build, store and deliver the
digest through insights.digest.build_and_deliver.

Delivery is retried here rather than by rebuilding: build_and_deliver stores the digest as
pending before contacting any server, so a failed send is re-sent (mail and webhook channel
by channel) by `resend-pending`, a task with retries and backoff.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from flows.refresh import IO_RETRIES, _engine, rank_week_task
from insights.views.summary import weekly_markdown


class DeliveryFailed(RuntimeError):
    """Some stored digest could not be delivered; raised so that Prefect retries the task."""


@task(name="build-and-deliver-digest", cache_policy=NO_CACHE)
def build_digest(
    db_url: str | None, week: str | None, region: str | None, send: bool, out_dir: str
) -> dict[str, Any]:
    """Build, store, write and (with `send`) deliver the digest once; delivery errors are
    returned, not raised, so the digest is never built twice."""
    from insights.digest import build_and_deliver

    settings, engine = _engine(db_url)
    result = build_and_deliver(
        engine, settings, week=week, region=region, out_dir=out_dir, send=send
    )
    logger = get_run_logger()
    logger.info("digest %s stored (id %s), files in %s", result.week, result.digest_id, out_dir)
    if result.content.message:
        logger.warning(result.content.message)
    return {
        "digest_id": result.digest_id,
        "week": result.week,
        "region": result.region,
        "status": result.status,
        "markdown_path": str(result.markdown_path),
        "html_path": str(result.html_path),
        "errors": list(result.errors),
        "resent": list(result.resent),
    }


@task(name="resend-pending", cache_policy=NO_CACHE, **IO_RETRIES)
def resend_pending(db_url: str | None) -> list[int]:
    """Deliver every digest still pending; raise while any fails so the retries kick in."""
    from insights.digest import resend_unsent

    settings, engine = _engine(db_url)
    done, errors = resend_unsent(engine, settings)
    if errors:
        raise DeliveryFailed("; ".join(errors))
    return done


@flow(name="weekly-digest", log_prints=False)
def weekly_digest(
    week: str | None = None,
    region: str | None = None,
    send: bool = True,
    out_dir: str | None = None,
    db_url: str | None = None,
) -> dict[str, Any]:
    """Digest of `week` (default: the latest complete week) for all regions or one.

    `out_dir` defaults to $INSIGHTS_HOME/digests. With `send`, mail / webhook settings must be
    configured (INSIGHTS_SMTP_HOST + INSIGHTS_DIGEST_TO, or INSIGHTS_DIGEST_WEBHOOK): otherwise
    the run fails with that one-line reason after publishing the ranked table.
    """
    if week is not None:
        from insights.trends import parse_week

        parse_week(week)  # a malformed week fails at once (ValueError), not after retries
    logger = get_run_logger()
    settings, _ = _engine(db_url)
    report = rank_week_task(settings.store.db_url, week, region)
    create_markdown_artifact(
        key="weekly-ranked-themes",
        markdown=weekly_markdown(report),
        description=f"ranked themes, week {report['week'] or '-'}",
    )
    folder = out_dir or str(Path(settings.store.home) / "digests")
    result = build_digest(settings.store.db_url, week, region, send, folder)
    if result["errors"]:
        for message in result["errors"]:
            logger.warning("delivery failed, will retry: %s", message)
        result["resent"] += resend_pending(settings.store.db_url)
        result["errors"] = []
        result["status"] = "sent"
    return result
