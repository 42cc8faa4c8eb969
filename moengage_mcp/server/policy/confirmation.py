"""Confirmation tokens for clients that cannot ask the user (no elicitation).

A token is HMAC-signed and binds the tool, the campaign, the exact arguments, the campaign state
seen at pre-flight and the signed-in user it was shown to; it expires after five minutes and is
accepted once. A token minted for anything else, for another user, or for a campaign that changed
since, is refused.

The keys are a key ring (`moengage_mcp.team.keys.SigningKeys`, from MOENGAGE_MCP_SECRET: the first
signs, any verifies), so every replica verifies what another minted; without the setting, a
per-process random key. With a shared spend-once store (`moengage_mcp.team.shared.SpendOnce`) a
token is spent once across replicas (`issue` and `spend`); a token records the store's epoch and
is refused once the store has lost its data (it no longer knows which tokens were spent).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...team.keys import SigningKeys

if TYPE_CHECKING:
    from ...team.shared import SpendOnce

TOKEN_TTL = 300.0
SPEND_MARGIN = 60.0
"""Seconds a spent token stays recorded past its expiry (clocks of replicas differ a little)."""


class TokenError(ValueError):
    """The token cannot authorise this call; the message says why and what to do."""


@dataclass(frozen=True)
class Binding:
    """What a token authorises: one tool, on one campaign, with these arguments, in this state."""

    tool: str
    campaign_id: str | None
    arguments: dict[str, Any]
    state: str
    user: str | None = None
    """The signed-in user (OAuth `sub`) the summary is shown to; None without OAuth."""

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
    def __init__(
        self,
        *,
        ttl: float = TOKEN_TTL,
        clock: Callable[[], float] = time.time,
        keys: SigningKeys | None = None,
        spent: SpendOnce | None = None,
    ) -> None:
        """`keys`: the key ring that signs and verifies (default: a random per-process key). `spent`: the
        store tokens are spent in (default: this process's memory)."""
        self._keys = keys or SigningKeys([secrets.token_bytes(32)])
        self._spent = spent
        self._ttl = ttl
        self._clock = clock
        self._used: dict[str, float] = {}
        self._lock = threading.Lock()

    def mint(self, binding: Binding, *, epoch: str | None = None) -> tuple[str, dt.datetime]:
        """A token for `binding` and the UTC time it expires."""
        expires = self._clock() + self._ttl
        claims = {"b": binding.digest(), "t": binding.tool, "exp": int(expires), "n": secrets.token_hex(8)}
        if binding.user is not None:
            claims["u"] = binding.user
        if epoch is not None:
            claims["e"] = epoch
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        token = f"{payload}.{self._keys.sign(payload)}"
        return token, dt.datetime.fromtimestamp(int(expires), dt.timezone.utc)

    async def issue(self, binding: Binding) -> tuple[str, dt.datetime]:
        """`mint`, recording the shared store's epoch (raises `SharedStateError` when it is unreachable)."""
        epoch = await self._spent.epoch() if self._spent is not None else None
        return self.mint(binding, epoch=epoch)

    def redeem(self, token: str, binding: Binding) -> None:
        """Accept `token` for `binding` once in this process, or raise TokenError."""
        now = self._clock()  # one reading for expiry and replay, so no instant falls between them
        claims = self._authentic(token, binding, now)
        with self._lock:
            self._used = {n: exp for n, exp in self._used.items() if exp > now}
            if claims["n"] in self._used:
                raise TokenError(ALREADY_USED)
            _check_matches(claims, binding)
            self._used[claims["n"]] = float(claims["exp"])

    async def spend(self, token: str, binding: Binding) -> None:
        """Accept `token` for `binding` once across every process sharing the store, or raise TokenError
        (or `SharedStateError` when the store cannot say whether it was spent)."""
        if self._spent is None:
            self.redeem(token, binding)
            return
        now = self._clock()
        claims = self._authentic(token, binding, now)
        if claims.get("e") != await self._spent.epoch():
            raise TokenError(
                "this confirmation token was issued before the server's shared state was reset, so it "
                "cannot be proven unused; call again without confirmation_token for a new summary"
            )
        key = f"confirmation:{claims['n']}"
        if await self._spent.spent(key):  # a replay, said as such (its action's state has moved on since)
            raise TokenError(ALREADY_USED)
        _check_matches(claims, binding)
        if not await self._spent.spend(key, claims["exp"] - now + SPEND_MARGIN):
            raise TokenError(ALREADY_USED)

    def _authentic(self, token: str, binding: Binding, now: float) -> dict[str, Any]:
        """The claims of `token` if this server signed it, unexpired, for `binding`'s tool and user; else TokenError."""
        claims = self._verified_claims(token, now)
        if claims.get("t") != binding.tool:
            raise TokenError(f"this confirmation token was issued for {claims.get('t')}, not {binding.tool}")
        if claims.get("u") != binding.user:
            raise TokenError(
                "this confirmation token was issued to another user: a token authorises only the user it "
                "was shown to. Call again without confirmation_token for your own summary"
            )
        return claims

    def _verified_claims(self, token: str, now: float) -> dict[str, Any]:
        payload, _, signature = token.partition(".")
        if not payload or not self._keys.verify(payload, signature):
            raise TokenError("invalid confirmation token (not issued by this server, or altered)")
        try:
            claims = json.loads(_unb64(payload))
        except ValueError:
            raise TokenError("invalid confirmation token") from None
        if not isinstance(claims, dict) or not {"b", "t", "exp", "n"} <= claims.keys():
            raise TokenError("invalid confirmation token")
        if not isinstance(claims["exp"], (int, float)) or claims["exp"] <= now:
            raise TokenError("this confirmation token has expired (tokens last 5 minutes); ask again")
        return claims


def _check_matches(claims: dict[str, Any], binding: Binding) -> None:
    if claims.get("b") != binding.digest():
        raise TokenError(
            "this confirmation token does not match this call: the campaign, the arguments or the campaign's "
            "state differ from what was confirmed. Call again without confirmation_token for a new summary"
        )


ALREADY_USED = "this confirmation token was already used; each token authorises one call"
