"""Time-based one-time passwords (RFC 6238, HMAC-SHA1, 6 digits, 30-second steps).

Small enough to own rather than depend on: the secret is 160 random bits shown to the
user as base32 text (no QR image, so no external service sees it); authenticator apps
accept it typed in or as the ``otpauth://`` URI.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote

STEP_SECONDS = 30
DIGITS = 6
# Accept the previous and next step too: phone clocks drift.
DRIFT_STEPS = 1


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest=hashlib.sha1) -> str:
    """RFC 4226 HOTP value of ``counter``."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    code = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(code % 10**digits).zfill(digits)


def current_step(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // STEP_SECONDS)


def code_at(secret: str, at: float | None = None) -> str:
    return hotp(_key(secret), current_step(at))


def matching_step(secret: str, code: str, *, at: float | None = None, after_step: int = -1) -> int | None:
    """The time step ``code`` belongs to (within the drift window), or None. Steps at or
    before ``after_step`` are refused so a code cannot be replayed."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != DIGITS:
        return None
    key, now = _key(secret), current_step(at)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if step > after_step and hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def provisioning_uri(secret: str, *, account: str, issuer: str = "carecoord") -> str:
    label = quote(f"{issuer}:{account}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&digits={DIGITS}&period={STEP_SECONDS}"
