"""Receiver-side verification of doc-preprocess-hub webhooks.

Two schemes are sent on every request; check either:
  * Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature ("v1,<base64>" space-separated)
    over ``id + "." + timestamp + "." + body``.
  * X-DPH-Signature: "sha256=<hex>" (space-separated) over ``timestamp + "." + body``,
    with X-DPH-Timestamp and X-DPH-Event-Id.
The HMAC key is the base64-decoded part of the ``whsec_`` secret. Pass the raw request body bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, Sequence, Union

SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE = 300

Body = Union[bytes, str]


class VerificationError(Exception):
    """Raised when a delivery must be rejected. ``reason`` is one of:
    missing_headers, invalid_timestamp, timestamp_too_old, timestamp_too_new, invalid_signature."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Verified:
    scheme: str
    id: str
    timestamp: int


def _key(secret: str) -> bytes:
    raw = secret[len(SECRET_PREFIX):] if secret.startswith(SECRET_PREFIX) else secret
    try:
        return base64.b64decode(raw, validate=True)
    except binascii.Error as exc:
        raise ValueError("webhook secret is not whsec_<base64>") from exc


def _body(body: Body) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


def _header(headers: Mapping[str, str], name: str) -> Optional[str]:
    for k, v in headers.items():
        if k.lower() == name:
            return v
    return None


def _timestamp(raw: str, now: Optional[int], tolerance: int) -> int:
    if not re.fullmatch(r"\d{1,12}", raw):
        raise VerificationError("invalid_timestamp")
    ts = int(raw)
    current = int(time.time()) if now is None else now
    if current - ts > tolerance:
        raise VerificationError("timestamp_too_old")
    if ts - current > tolerance:
        raise VerificationError("timestamp_too_new")
    return ts


def verify_standard(headers: Mapping[str, str], body: Body, secrets: Sequence[str],
                    now: Optional[int] = None, tolerance: int = DEFAULT_TOLERANCE) -> Verified:
    msg_id = _header(headers, "webhook-id")
    ts_raw = _header(headers, "webhook-timestamp")
    sigs = _header(headers, "webhook-signature")
    if not msg_id or not ts_raw or not sigs:
        raise VerificationError("missing_headers")
    ts = _timestamp(ts_raw, now, tolerance)
    given = [s[3:] for s in sigs.split() if s.startswith("v1,")]
    content = f"{msg_id}.{ts}.".encode("utf-8") + _body(body)
    for secret in secrets:
        expected = base64.b64encode(hmac.new(_key(secret), content, hashlib.sha256).digest()).decode("ascii")
        if any(hmac.compare_digest(g.encode("ascii", "replace"), expected.encode("ascii")) for g in given):
            return Verified("standard", msg_id, ts)
    raise VerificationError("invalid_signature")


def verify_dph(headers: Mapping[str, str], body: Body, secrets: Sequence[str],
               now: Optional[int] = None, tolerance: int = DEFAULT_TOLERANCE) -> Verified:
    event_id = _header(headers, "x-dph-event-id")
    ts_raw = _header(headers, "x-dph-timestamp")
    sigs = _header(headers, "x-dph-signature")
    if not event_id or not ts_raw or not sigs:
        raise VerificationError("missing_headers")
    ts = _timestamp(ts_raw, now, tolerance)
    given = [s[7:].lower() for s in re.split(r"[\s,]+", sigs) if s.startswith("sha256=")]
    content = f"{ts}.".encode("utf-8") + _body(body)
    for secret in secrets:
        expected = hmac.new(_key(secret), content, hashlib.sha256).hexdigest()
        if any(hmac.compare_digest(g.encode("ascii", "replace"), expected.encode("ascii")) for g in given):
            return Verified("dph", event_id, ts)
    raise VerificationError("invalid_signature")


def verify(headers: Mapping[str, str], body: Body, secrets: Iterable[str], now: Optional[int] = None,
           tolerance: int = DEFAULT_TOLERANCE, scheme: Optional[str] = None) -> Verified:
    """Standard Webhooks when its signature header is present (or scheme="standard"), else X-DPH-Signature."""
    secrets = list(secrets)
    chosen = scheme or ("standard" if _header(headers, "webhook-signature") is not None else "dph")
    if chosen == "standard":
        return verify_standard(headers, body, secrets, now, tolerance)
    return verify_dph(headers, body, secrets, now, tolerance)
