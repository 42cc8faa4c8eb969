"""OAuth 2.1 resource server (`MOENGAGE_MCP_AUTH=oauth`): the SDK's bearer-token machinery with a JWT verifier.

The SDK does the HTTP side (`mcp.server.auth`): its bearer middleware calls `JwtVerifier.verify_token`
for every request, answers 401 with `WWW-Authenticate: Bearer ..., resource_metadata="<metadata URL>"`
when it returns None, checks the token's resource against `MOENGAGE_MCP_PUBLIC_URL`, serves the
protected-resource metadata (RFC 9728) naming the issuer, and keeps the signed-in user's token in a
context variable for the request (`current_user`).

This module decides which tokens are good: a JWT signed by one of the issuer's keys (its JWKS,
discovered from the issuer's metadata unless `MOENGAGE_MCP_OAUTH_JWKS_URL` names it) with an
asymmetric algorithm (`none`, and HMAC keyed with a public key, are refused before any key is
looked at), issued by `MOENGAGE_MCP_OAUTH_ISSUER` for `MOENGAGE_MCP_PUBLIC_URL`, unexpired (30 s of
clock skew allowed), naming a subject, and granting at least one `moengage:*` scope. A refused
token is logged by reason, never by value.

Scopes grant toolsets of the same name, never beyond the server's own `MOENGAGE_MCP_TOOLSETS`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx
import jwt
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings

from ..settings import AuthMode, Settings, Toolset, is_loopback_url

logger = logging.getLogger(__name__)

SCOPES = ("moengage:read", "moengage:draft", "moengage:lifecycle", "moengage:send")
"""Each grants the toolset named after the colon."""
SCOPE_PREFIX = "moengage:"

ALGORITHMS = {
    "RS256": "RSA", "RS384": "RSA", "RS512": "RSA",
    "PS256": "RSA", "PS384": "RSA", "PS512": "RSA",
    "ES256": "EC", "ES384": "EC", "ES512": "EC",
    "EdDSA": "OKP",
}  # fmt: skip
"""The accepted signing algorithms, each with the only key type it may be verified with."""

LEEWAY = 30.0
"""Seconds of clock skew allowed on exp / nbf / iat."""


class TokenRefused(Exception):
    """Why a token is not accepted (logged; the client sees only the SDK's 401)."""


class Jwks:
    """The issuer's signing keys, fetched with httpx, kept for `max_age`, and fetched again when a
    token names a key id not among them, but at most once every `min_refresh` seconds (a stream of
    tokens with made-up key ids must not turn into a stream of requests to the issuer)."""

    def __init__(
        self,
        issuer: str,
        jwks_url: str | None = None,
        *,
        http: httpx.AsyncClient | None = None,
        min_refresh: float = 30.0,
        max_age: float = 3600.0,
    ) -> None:
        self.issuer = issuer
        self._jwks_url = jwks_url
        self._http = http or httpx.AsyncClient(timeout=5.0)
        self._min_refresh = min_refresh
        self._max_age = max_age
        self._keys: dict[str | None, jwt.PyJWK] = {}
        self._fetched = -float("inf")
        self._lock = anyio.Lock()

    async def key(self, kid: str | None) -> jwt.PyJWK:
        """The key `kid` names (no kid: the only key), refreshing once if it is unknown."""
        if time.monotonic() - self._fetched > self._max_age or kid not in self._keys:
            async with self._lock:  # concurrent misses share one fetch
                stale = time.monotonic() - self._fetched
                if stale > self._max_age or (kid not in self._keys and stale > self._min_refresh):
                    await self._refresh()
        if kid not in self._keys:
            raise TokenRefused(
                f"unknown signing key id {kid!r}" if kid else "no key id, and the issuer has several keys"
            )
        return self._keys[kid]

    async def _refresh(self) -> None:
        self._fetched = time.monotonic()  # a failed fetch also waits min_refresh before the next
        try:
            url = self._jwks_url or await self._discover()
            data = await self._get_json(url)
            keys = {jwk.key_id: jwk for jwk in jwt.PyJWKSet.from_dict(data).keys if _usable(jwk)}
        except (httpx.HTTPError, ValueError, TypeError, jwt.PyJWTError, TokenRefused) as exc:
            logger.warning("OAuth: the issuer's signing keys could not be fetched (%s)", _reason(exc))
            return
        self._jwks_url = url
        if len(keys) == 1:
            keys[None] = next(iter(keys.values()))
        self._keys = keys

    async def _discover(self) -> str:
        """`jwks_uri` from the issuer's metadata: RFC 8414 first, then OpenID Connect discovery."""
        parts = urlsplit(self.issuer)
        path = parts.path.rstrip("/")
        for url in (
            f"{parts.scheme}://{parts.netloc}/.well-known/oauth-authorization-server{path}",
            f"{self.issuer.rstrip('/')}/.well-known/openid-configuration",
        ):
            try:
                metadata = await self._get_json(url)
            except (httpx.HTTPError, ValueError, TypeError):
                continue
            if metadata.get("issuer") != self.issuer:  # RFC 8414 section 3.3
                raise TokenRefused(f"the metadata at {url} names another issuer")
            jwks_uri = metadata.get("jwks_uri")
            if not isinstance(jwks_uri, str) or not _safe_url(jwks_uri):
                raise TokenRefused(f"the metadata at {url} has no https jwks_uri")
            return jwks_uri
        raise TokenRefused("the issuer publishes no authorization-server or OpenID metadata")

    async def _get_json(self, url: str) -> dict[str, Any]:
        response = await self._http.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        data = response.json()
        if not isinstance(data, dict):
            raise TypeError(f"{url} did not answer a JSON object")
        return data


class JwtVerifier:
    """The SDK's `TokenVerifier` for access tokens that are JWTs (RFC 9068) from one issuer."""

    def __init__(self, jwks: Jwks, audience: str, *, leeway: float = LEEWAY) -> None:
        self.jwks = jwks
        self.audience = audience
        self._audiences = list(dict.fromkeys([audience, audience.rstrip("/"), audience.rstrip("/") + "/"]))
        self._leeway = leeway

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            return await self._verify(token)
        except (TokenRefused, jwt.PyJWTError) as exc:
            logger.info("OAuth: token refused (%s)", _reason(exc))
            return None

    async def _verify(self, token: str) -> AccessToken:
        header = jwt.get_unverified_header(token)
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise TokenRefused(f"algorithm {algorithm!r} is not one of the accepted asymmetric ones")
        key = await self.jwks.key(header.get("kid"))
        if not _fits(key, algorithm):
            raise TokenRefused(f"key {key.key_id!r} is not a {algorithm} key")
        claims = jwt.decode(
            token,
            key.key,
            algorithms=[algorithm],
            audience=self._audiences,
            issuer=self.jwks.issuer,
            leeway=self._leeway,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
        scopes = _scopes(claims)
        if not any(scope in SCOPES for scope in scopes):
            raise TokenRefused(f"no {SCOPE_PREFIX}* scope (the token has {len(scopes)} others)")
        email = claims.get("email")
        return AccessToken(
            token=token,
            client_id=str(claims.get("client_id") or claims.get("azp") or claims["sub"]),
            scopes=scopes,
            expires_at=int(claims["exp"]),
            resource=self.audience,
            subject=str(claims["sub"]),
            claims={"iss": claims["iss"], **({"email": email} if isinstance(email, str) else {})},
        )


@dataclass(frozen=True)
class OAuthResource:
    """What the SDK needs to serve as this resource server: `MCPServer(auth=..., token_verifier=...)`."""

    auth: AuthSettings
    token_verifier: JwtVerifier


def oauth_resource(settings: Settings, *, http: httpx.AsyncClient | None = None) -> OAuthResource:
    assert settings.oauth_issuer is not None and settings.public_url is not None  # enforced by Settings
    jwks = Jwks(settings.oauth_issuer, settings.oauth_jwks_url, http=http)
    # from strings, so the SDK's models keep a path-less issuer as written (no trailing slash added):
    # RFC 8414 compares issuers as exact strings
    auth = AuthSettings.model_validate(
        {
            "issuer_url": settings.oauth_issuer,
            "resource_server_url": settings.public_url,
            "validate_token_resource": True,
        }
    )
    return OAuthResource(auth, JwtVerifier(jwks, settings.public_url))


@dataclass(frozen=True)
class User:
    """Who made the current request, from their access token."""

    subject: str
    email: str | None
    issuer: str | None
    client_id: str
    scopes: frozenset[str]
    toolsets: frozenset[Toolset]


def toolsets_for(scopes: Iterable[str], allowed: Iterable[Toolset]) -> frozenset[Toolset]:
    """The toolsets `scopes` grant (`moengage:<toolset>`), within the server's `allowed` ones."""
    granted = set(scopes)
    return frozenset(toolset for toolset in allowed if f"{SCOPE_PREFIX}{toolset.value}" in granted)


def current_user(allowed: Iterable[Toolset]) -> User | None:
    """The signed-in user of the request being handled (None without OAuth: stdio, bearer, none)."""
    token = get_access_token()
    if token is None or token.subject is None:
        return None
    claims = token.claims or {}
    return User(
        subject=token.subject,
        email=claims.get("email"),
        issuer=claims.get("iss"),
        client_id=token.client_id,
        scopes=frozenset(token.scopes),
        toolsets=toolsets_for(token.scopes, allowed),
    )


def request_toolsets(settings: Settings) -> frozenset[Toolset]:
    """The toolsets the request being handled may use: in OAuth mode the signed-in user's (none
    without a user), else the server's own. What `tools/list` shows and `tools/call` admits."""
    if settings.auth_mode is not AuthMode.OAUTH:
        return settings.toolsets
    user = current_user(settings.toolsets)
    return user.toolsets if user is not None else frozenset()


def _scopes(claims: dict[str, Any]) -> list[str]:
    """`scope` (RFC 9068: space-separated) or `scp` (a list, as some issuers send)."""
    raw = claims.get("scope", claims.get("scp", []))
    items = raw.split() if isinstance(raw, str) else raw if isinstance(raw, list) else []
    return [item for item in items if isinstance(item, str)]


def _usable(jwk: jwt.PyJWK) -> bool:
    """Signing keys of an asymmetric type: a symmetric key in a published set would let anyone sign."""
    return jwk.key_type in set(ALGORITHMS.values()) and jwk.public_key_use in (None, "sig")


def _fits(key: jwt.PyJWK, algorithm: str) -> bool:
    """The key is of the algorithm's type, and of the algorithm itself where the key says (its `alg`,
    or for EC and OKP keys, its curve)."""
    if key.key_type != ALGORITHMS[algorithm]:
        return False
    return key.algorithm_name == algorithm or (key.key_type == "RSA" and "alg" not in key._jwk_data)


def _safe_url(url: str) -> bool:
    return url.startswith("https://") or (url.startswith("http://") and is_loopback_url(url))


def _reason(exc: Exception) -> str:
    """A refusal's reason without the token: PyJWT messages never quote it; ours never do."""
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
