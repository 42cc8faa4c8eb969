"""Confirmation tokens for clients that cannot ask the user (no elicitation).

A token is HMAC-signed by a per-process secret and binds the tool, the campaign, the exact
arguments and the campaign state seen at pre-flight; it expires after five minutes and is
accepted once. A token minted for anything else, or for a campaign that changed since, is refused.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TOKEN_TTL = 300.0


class TokenError(ValueError):
    """The token cannot authorise this call; the message says why and what to do."""


@dataclass(frozen=True)
class Binding:
    """What a token authorises: one tool, on one campaign, with these arguments, in this state."""

    tool: str
    campaign_id: str | None
    arguments: dict[str, Any]
    state: str

    def digest(self) -> str:
        canonical = json.dumps(
            [self.tool, self.campaign_id, self.arguments, self.state],
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ConfirmationTokens:
    def __init__(self, *, ttl: float = TOKEN_TTL, clock: Callable[[], float] = time.time) -> None:
        self._secret = secrets.token_bytes(32)
        self._ttl = ttl
        self._clock = clock
        self._used: dict[str, float] = {}
        self._lock = threading.Lock()

    def mint(self, binding: Binding) -> tuple[str, dt.datetime]:
        """A token for `binding` and the UTC time it expires."""
        expires = self._clock() + self._ttl
        claims = {"b": binding.digest(), "t": binding.tool, "exp": int(expires), "n": secrets.token_hex(8)}
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        token = f"{payload}.{self._sign(payload)}"
        return token, dt.datetime.fromtimestamp(int(expires), dt.timezone.utc)

    def redeem(self, token: str, binding: Binding) -> None:
        """Accept `token` for `binding` once, or raise TokenError."""
        now = self._clock()  # one reading for expiry and replay, so no instant falls between them
        claims = self._verified_claims(token, now)
        if claims.get("t") != binding.tool:
            raise TokenError(f"this confirmation token was issued for {claims.get('t')}, not {binding.tool}")
        if claims.get("b") != binding.digest():
            raise TokenError(
                "this confirmation token does not match this call: the campaign, the arguments or the campaign's "
                "state differ from what was confirmed. Call again without confirmation_token for a new summary"
            )
        with self._lock:
            self._used = {n: exp for n, exp in self._used.items() if exp > now}
            if claims["n"] in self._used:
                raise TokenError("this confirmation token was already used; each token authorises one call")
            self._used[claims["n"]] = float(claims["exp"])

    def _verified_claims(self, token: str, now: float) -> dict[str, Any]:
        payload, _, signature = token.partition(".")
        if not payload or not hmac.compare_digest(signature.encode(), self._sign(payload).encode()):
            raise TokenError("invalid confirmation token (not issued by this server, or altered)")
        try:
            claims = json.loads(_unb64(payload))
        except ValueError:
            raise TokenError("invalid confirmation token") from None
        if not isinstance(claims, dict) or not {"b", "t", "exp", "n"} <= claims.keys():
            raise TokenError("invalid confirmation token")
        if claims["exp"] <= now:
            raise TokenError("this confirmation token has expired (tokens last 5 minutes); ask again")
        return claims

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._secret, payload.encode(), hashlib.sha256).digest())
