"""Keys every replica derives from `MOENGAGE_MCP_SECRET`: confirmation-token signing and sealed request state.

The setting is a comma list: the first key signs (or seals), every key verifies (or opens), so a key
is rotated without downtime by listing `new,old` on every replica, then `new` once tokens signed
with `old` have expired. Each use gets its own subkey (HKDF with a per-use label), so a key leaked
from one use — or a token of one kind replayed as the other — opens nothing else.
Without the setting a process makes random keys, as before: tokens then verify only where minted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from mcp.server.request_state import RequestStateSecurity

from ..settings import Settings

CONFIRMATION_LABEL = b"moengage-mcp/confirmation-token/v1"
REQUEST_STATE_LABEL = b"moengage-mcp/request-state/v1"
REQUEST_STATE_AUDIENCE = "moengage-mcp"
"""The sealed state's audience: what tells this server's state from another service's sharing the keys."""


def derive(secret: bytes, label: bytes) -> bytes:
    """A 32-byte subkey of `secret` for one use."""
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=label).derive(secret)


def secret_keys(settings: Settings) -> list[bytes]:
    """The configured keys, signing key first; one random key when none is configured."""
    return [key.get_secret_value().encode() for key in settings.secret] or [secrets.token_bytes(32)]


class SigningKeys:
    """HMAC-SHA256 under a key ring: `sign` with the first key, `verify` with any of them."""

    def __init__(self, keys: Sequence[bytes], label: bytes = CONFIRMATION_LABEL) -> None:
        if not keys:
            raise ValueError("a key ring needs at least one key")
        self._keys = [derive(key, label) for key in keys]

    @classmethod
    def for_settings(cls, settings: Settings) -> SigningKeys:
        return cls(secret_keys(settings))

    def sign(self, payload: str) -> str:
        return self._mac(self._keys[0], payload)

    def verify(self, payload: str, signature: str) -> bool:
        """True if any key of the ring signed `payload` (every key is tried: no timing tells which)."""
        given = signature.encode()
        valid = False
        for key in self._keys:
            valid |= hmac.compare_digest(given, self._mac(key, payload).encode())
        return valid

    @staticmethod
    def _mac(key: bytes, payload: str) -> str:
        digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def request_state_security(settings: Settings) -> RequestStateSecurity:
    """The SDK's sealed request state under keys from `MOENGAGE_MCP_SECRET`, so any replica opens
    what another sealed; without the setting, the SDK's own per-process policy."""
    if not settings.secret:
        return RequestStateSecurity.ephemeral(audience=REQUEST_STATE_AUDIENCE)
    keys = [derive(key, REQUEST_STATE_LABEL) for key in secret_keys(settings)]
    return RequestStateSecurity(keys=keys, audience=REQUEST_STATE_AUDIENCE)
