"""Opaque tokens for links in emails: what they name is encrypted and authenticated, never readable.

A token is base64url(nonce | AES-GCM(payload | issued-at)), with a 256-bit key derived from
SECRET_KEY for each purpose, so a token made for one purpose (confirming a signature,
unsubscribing) is refused for any other. The time it was made is inside, so a reader can give it an
age limit. Sealing and opening cost a few microseconds: they sit on the signing path.
"""

import base64
import binascii
import os
import struct
import time
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.crypto import salted_hmac

NONCE_BYTES = 12
_ISSUED = struct.Struct(">I")
VERSION = b"\x01"


@lru_cache(maxsize=16)
def _cipher(purpose: str, secret_key: str) -> AESGCM:
    key = salted_hmac(f"rally.tokens.{purpose}", "aes-gcm-key", secret=secret_key, algorithm="sha256").digest()
    return AESGCM(key)


def token_seal(payload: bytes, *, purpose: str, now: float | None = None) -> str:
    """An opaque, URL-safe token carrying payload for this purpose, stamped with the time."""
    nonce = os.urandom(NONCE_BYTES)
    issued = _ISSUED.pack(int(now if now is not None else time.time()))
    sealed = _cipher(purpose, settings.SECRET_KEY).encrypt(nonce, payload + issued, VERSION)
    return base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()


def token_open(token: str, *, purpose: str, max_age: float | None = None) -> bytes | None:
    """The payload of a genuine token for this purpose no older than max_age seconds; None for a
    forged, mangled, expired or other-purpose one."""
    if not token or len(token) > 2048:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) < NONCE_BYTES + _ISSUED.size + 16:
        return None
    try:
        opened = _cipher(purpose, settings.SECRET_KEY).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], VERSION)
    except InvalidTag:
        return None
    payload, (issued,) = opened[: -_ISSUED.size], _ISSUED.unpack(opened[-_ISSUED.size :])
    if max_age is not None and time.time() - issued > max_age:
        return None
    return payload
