"""Digest settings read from INSIGHTS_* variables.

Kept apart from :class:`insights.settings.Settings` on purpose: only the digest needs mail and
webhook credentials, so the other stages never load (or log) them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

SECURITY_MODES: tuple[str, ...] = ("plain", "starttls", "ssl")
DEFAULT_PORTS: dict[str, int] = {"plain": 25, "starttls": 587, "ssl": 465}
REGION_TO_PREFIX = "INSIGHTS_DIGEST_TO_"
_SPLIT = re.compile(r"[,;\s]+")


class DigestConfigError(ValueError):
    """A digest setting is missing or malformed; the message is one line for the user."""


def _addresses(raw: str | None) -> tuple[str, ...]:
    return tuple(a for a in _SPLIT.split(raw or "") if a)


@dataclass(frozen=True)
class DigestSettings:
    """What the digest needs: where links point, the privacy floor, and how to deliver.

    ``tries`` / ``backoff`` / ``timeout`` are not environment variables: three tries with
    1 s then 2 s pauses ride out a mail server restart without delaying a Monday run for
    minutes; tests pass ``backoff=0``.
    """

    app_url: str = "http://127.0.0.1:8501"
    min_group: int = 5
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "ticket-insights@localhost"
    smtp_security: str = "plain"
    to: tuple[str, ...] = ()
    region_to: dict[str, tuple[str, ...]] = field(default_factory=dict)
    webhook: str | None = None
    tries: int = 3
    backoff: float = 1.0
    timeout: float = 10.0
    top_n: int = 10

    def __post_init__(self) -> None:
        if self.smtp_security not in SECURITY_MODES:
            raise DigestConfigError(
                f"INSIGHTS_SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}, "
                f"not {self.smtp_security!r}"
            )
        if self.min_group < 1:
            raise DigestConfigError("INSIGHTS_DIGEST_MIN_GROUP must be at least 1")
        if self.tries < 1:
            raise DigestConfigError("tries must be at least 1")

    @property
    def port(self) -> int:
        """The configured port, or the usual one for the security mode (25 / 587 / 465)."""
        return self.smtp_port or DEFAULT_PORTS[self.smtp_security]

    def recipients(self, region: str | None) -> tuple[str, ...]:
        """A region digest goes to that region's list when one is set, else to the main list."""
        if region and self.region_to.get(region.upper()):
            return self.region_to[region.upper()]
        return self.to

    def theme_url(self, theme_id: int) -> str:
        return f"{self.app_url.rstrip('/')}/?theme={theme_id}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> DigestSettings:
        """Read the INSIGHTS_* variables; ``overrides`` (e.g. ``backoff=0``) win over them."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = (env.get(name) or "").strip()
            return value or None

        def integer(name: str, default: int | None) -> int | None:
            raw = get(name)
            if raw is None:
                return default
            try:
                return int(raw)
            except ValueError:
                raise DigestConfigError(f"{name} must be a whole number, got {raw!r}") from None

        region_to = {
            name[len(REGION_TO_PREFIX) :].upper(): _addresses(value)
            for name, value in env.items()
            if name.startswith(REGION_TO_PREFIX) and _addresses(value)
        }
        values = {
            "app_url": get("INSIGHTS_APP_URL") or cls.app_url,
            "min_group": integer("INSIGHTS_DIGEST_MIN_GROUP", 5),
            "smtp_host": get("INSIGHTS_SMTP_HOST"),
            "smtp_port": integer("INSIGHTS_SMTP_PORT", None),
            "smtp_user": get("INSIGHTS_SMTP_USER"),
            "smtp_password": env.get("INSIGHTS_SMTP_PASSWORD") or None,
            "smtp_from": get("INSIGHTS_SMTP_FROM") or cls.smtp_from,
            "smtp_security": (get("INSIGHTS_SMTP_SECURITY") or "plain").lower(),
            "to": _addresses(get("INSIGHTS_DIGEST_TO")),
            "region_to": region_to,
            "webhook": get("INSIGHTS_DIGEST_WEBHOOK"),
        }
        values.update(overrides)
        return cls(**values)
