"""Deliver a stored digest by SMTP and by a Slack-compatible webhook, with retries.

Both channels retry with exponential backoff because the usual failures (a mail relay
restarting, a webhook answering 502) are transient. Errors come back as one-line
:class:`DeliveryError` messages that name the server (host and port for mail; scheme and host
only for the webhook, whose path is a secret token) and never the password.
"""

from __future__ import annotations

import json
import smtplib
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TypeVar
from urllib.parse import urlsplit

from insights.digest.render import html_for_mail
from insights.settings import DigestSettings

T = TypeVar("T")


class DigestConfigError(ValueError):
    """Delivery is asked for without a usable channel; the message is one line for the user."""


class DeliveryError(Exception):
    """A channel failed after every try; ``str()`` is one line for the user."""

    def __init__(self, message: str, attempts: int = 0) -> None:
        super().__init__(message)
        self.attempts = attempts


class _Permanent(Exception):
    """A failure retrying cannot fix (rejected login, recipient refused, HTTP 4xx)."""


def retry(fn: Callable[[], T], tries: int, backoff: float) -> tuple[T, int]:
    """Call ``fn`` up to ``tries`` times, sleeping backoff, 2*backoff, ... in between.

    Returns (result, attempts). The last exception is re-raised with ``attempts`` attached.
    """
    for attempt in range(1, tries + 1):
        try:
            return fn(), attempt
        except _Permanent as exc:
            exc.attempts = attempt  # type: ignore[attr-defined]
            raise
        except Exception as exc:
            if attempt == tries:
                exc.attempts = attempt  # type: ignore[attr-defined]
                raise
            time.sleep(backoff * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------- mail


def build_message(
    subject: str, text: str, stored_html: str, sender: str, to: tuple[str, ...]
) -> EmailMessage:
    """multipart/alternative: text/plain, then multipart/related (text/html + inline PNGs)."""
    html, images = html_for_mail(stored_html)
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="ticket-insights")
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    html_part = msg.get_payload()[1]
    for cid, png in images:
        html_part.add_related(
            png, maintype="image", subtype="png", cid=f"<{cid}>", filename=f"{cid}.png"
        )
    return msg


def send_mail(settings: DigestSettings, msg: EmailMessage, what: str = "the digest") -> int:
    """Send ``msg`` with the configured security; returns the attempts it took. ``what`` names
    the message in a refusal ("mail server ... refused the digest: ...")."""
    host, port = settings.smtp_host, settings.port
    where = f"mail server {host}:{port}"

    def once() -> None:
        context = ssl.create_default_context()
        try:
            if settings.smtp_security == "ssl":
                smtp = smtplib.SMTP_SSL(host, port, timeout=settings.timeout, context=context)
            else:
                smtp = smtplib.SMTP(host, port, timeout=settings.timeout)
            with smtp:
                if settings.smtp_security == "starttls":
                    smtp.starttls(context=context)
                if settings.smtp_user:
                    smtp.login(settings.smtp_user, settings.password or "")
                smtp.send_message(msg)
        except (smtplib.SMTPAuthenticationError, smtplib.SMTPRecipientsRefused) as exc:
            raise _Permanent(f"{where} refused {what}: {_smtp_reason(exc)}") from None
        except smtplib.SMTPNotSupportedError as exc:
            raise _Permanent(f"{where}: {exc}") from None

    try:
        return retry(once, settings.tries, settings.backoff)[1]
    except _Permanent as exc:
        raise DeliveryError(str(exc), getattr(exc, "attempts", 1)) from None
    except (OSError, smtplib.SMTPException) as exc:
        n = getattr(exc, "attempts", settings.tries)
        raise DeliveryError(
            f"cannot deliver to {where} ({_smtp_reason(exc)}) after {n} tries", n
        ) from None


def _smtp_reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, socket.gaierror):
        return "unknown host"
    if isinstance(exc, smtplib.SMTPResponseException):
        msg = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else ""
        return f"{exc.smtp_code} {msg}".strip()
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "recipients refused: " + ", ".join(exc.recipients)
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# --------------------------------------------------------------------------- webhook


def webhook_target(url: str) -> str:
    """scheme://host[:port] only: the path of a Slack webhook is its secret."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


def post_webhook(settings: DigestSettings, text: str) -> int:
    """POST ``{"text": text}`` to the digest's webhook (INSIGHTS_DIGEST_WEBHOOK)."""
    return post_json(
        settings.webhook or "", {"text": text}, settings.tries, settings.backoff, settings.timeout
    )


def post_json(url: str, payload: dict, tries: int, backoff: float, timeout: float) -> int:
    """POST ``payload`` as JSON to ``url``; returns the attempts it took. 5xx, 429 and network
    errors (timeouts included) are retried with backoff, other 4xx not."""
    where = f"webhook {webhook_target(url)}"
    body = json.dumps(payload).encode("utf-8")

    def once() -> None:
        req = urllib.request.Request(
            url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                resp.read()
        except urllib.error.HTTPError as exc:
            if exc.code < 500 and exc.code != 429:
                raise _Permanent(f"{where} answered HTTP {exc.code}") from None
            raise

    try:
        return retry(once, tries, backoff)[1]
    except _Permanent as exc:
        raise DeliveryError(str(exc), getattr(exc, "attempts", 1)) from None
    except urllib.error.HTTPError as exc:
        n = getattr(exc, "attempts", tries)
        raise DeliveryError(f"{where} answered HTTP {exc.code} after {n} tries", n) from None
    except (OSError, ValueError) as exc:
        n = getattr(exc, "attempts", tries)
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"cannot reach {where} ({reason}) after {n} tries", n) from None
