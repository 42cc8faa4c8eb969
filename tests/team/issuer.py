"""A small OAuth issuer for tests: authorization-server metadata (RFC 8414) and a JWKS over loopback
HTTP, RSA and EC signing keys, and tokens minted on demand, good ones and every kind of bad one.

It is an issuer only in what a resource server sees of one (no authorization endpoint, no client
registration): metadata, keys, and signed access tokens.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from moengage_mcp.simulator.serving import serve_in_thread

ALL_SCOPES = "moengage:read moengage:draft moengage:lifecycle moengage:send"


class Key:
    """A signing key: its private half signs, its public half goes into the JWKS."""

    def __init__(self, kind: str, kid: str) -> None:
        self.kid = kid
        if kind == "RSA":
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            self.algorithm = "RS256"
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key()))
        else:
            self.private = ec.generate_private_key(ec.SECP256R1())
            self.algorithm = "ES256"
            jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.private.public_key()))
        self.jwk = {**jwk, "kid": kid, "use": "sig", "alg": self.algorithm}

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


class Issuer:
    """Serves its metadata and keys; `token(...)` mints an access token for `audience`."""

    def __init__(self, *, oidc_only: bool = False) -> None:
        self.url = ""
        self.keys = [Key("RSA", "rsa-1"), Key("EC", "ec-1")]
        self.jwks_fetches = 0
        self._oidc_only = oidc_only
        routes = [Route("/jwks", self._jwks), Route("/.well-known/openid-configuration", self._metadata)]
        if not oidc_only:
            routes.append(Route("/.well-known/oauth-authorization-server", self._metadata))
        self.app = Starlette(routes=routes)

    @contextmanager
    def serving(self) -> Iterator[Issuer]:
        with serve_in_thread(self.app) as url:
            self.url = url
            yield self

    async def _metadata(self, request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "issuer": self.url,
                "jwks_uri": f"{self.url}/jwks",
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    async def _jwks(self, request: Request) -> JSONResponse:
        self.jwks_fetches += 1
        return JSONResponse({"keys": [key.jwk for key in self.keys]})

    def rotate(self, kind: str = "RSA") -> Key:
        """A new key, published from now on (the old ones stay, as during a real rotation)."""
        key = Key(kind, f"{kind.lower()}-{uuid.uuid4().hex[:8]}")
        self.keys.append(key)
        return key

    def claims(self, audience: str, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": self.url,
            "aud": audience,
            "sub": "user-ada",
            "email": "ada@example.com",
            "client_id": "test-client",
            "scope": ALL_SCOPES,
            "iat": now,
            "exp": now + 300,
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def token(
        self, audience: str, *, key: Key | None = None, headers: dict[str, Any] | None = None, **claims: Any
    ) -> str:
        key = key or self.keys[0]
        return jwt.encode(
            self.claims(audience, **claims),
            key.private,
            algorithm=key.algorithm,
            headers={"kid": key.kid, **(headers or {})},
        )

    def bad_tokens(self, audience: str) -> dict[str, str]:
        """Each kind of token a resource server must refuse, by name."""
        stranger = Key("RSA", self.keys[0].kid)  # same kid, a key the issuer never published
        unpublished = Key("EC", "never-published")
        claims = self.claims(audience)
        return {
            "expired": self.token(audience, exp=int(time.time()) - 120, iat=int(time.time()) - 600),
            "wrong audience": self.token("https://another-server.example.com/mcp"),
            "wrong issuer": self.token(audience, iss="https://evil.example.com"),
            "bad signature": jwt.encode(
                claims, stranger.private, algorithm="RS256", headers={"kid": stranger.kid}
            ),
            "tampered": _tampered(self.token(audience, scope="moengage:read"), {"scope": ALL_SCOPES}),
            "alg none": _unsigned(claims, self.keys[0].kid),
            "HS256 keyed with the public key": _hs256(claims, self.keys[0].public_pem(), self.keys[0].kid),
            "unknown kid": jwt.encode(
                claims, unpublished.private, algorithm="ES256", headers={"kid": unpublished.kid}
            ),
            "no moengage scope": self.token(audience, scope="openid profile"),
            "no subject": self.token(audience, sub=None),
            "not a JWT": "definitely-not-a-jwt",
        }


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unsigned(claims: dict[str, Any], kid: str) -> str:
    header = {"alg": "none", "typ": "JWT", "kid": kid}
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}."


def _hs256(claims: dict[str, Any], secret: bytes, kid: str) -> str:
    """The key-confusion attack: HMAC keyed with the issuer's public key (PyJWT refuses to make one)."""
    signing_input = f"{_b64(json.dumps({'alg': 'HS256', 'typ': 'JWT', 'kid': kid}).encode())}.{_b64(json.dumps(claims).encode())}"
    mac = hmac.HMAC(secret, hashes.SHA256())
    mac.update(signing_input.encode())
    return f"{signing_input}.{_b64(mac.finalize())}"


def _tampered(token: str, changes: dict[str, Any]) -> str:
    """`token` with claims changed after signing (the signature left as it was)."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return f"{header}.{_b64(json.dumps({**claims, **changes}).encode())}.{signature}"
