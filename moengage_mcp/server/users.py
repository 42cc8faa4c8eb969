"""Who makes the request being handled, and what it may use: the OAuth user (`moengage_mcp.team.oauth`)
in `MOENGAGE_MCP_AUTH=oauth` mode; nobody in particular, with the server's own toolsets, otherwise.

The team module (PyJWT, httpx) is imported only in OAuth mode, where the transport has loaded it
already: a stdio server's start-up does not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..settings import AuthMode, Settings, Toolset

if TYPE_CHECKING:
    from ..team.oauth import User


def signed_in(settings: Settings) -> User | None:
    """The signed-in user of the request being handled; None outside OAuth mode (stdio, bearer, none)."""
    if settings.auth_mode is not AuthMode.OAUTH:
        return None
    from ..team.oauth import current_user

    return current_user(settings.toolsets)


def granted(settings: Settings) -> frozenset[Toolset]:
    """The toolsets the request being handled may use: the user's scopes within the server's own in
    OAuth mode (none without a user), else the server's own."""
    if settings.auth_mode is not AuthMode.OAUTH:
        return settings.toolsets
    from ..team.oauth import request_toolsets

    return request_toolsets(settings)


def audit_user(settings: Settings) -> dict[str, Any] | None:
    """The user as an audit line names them: `sub`, and `email` when the token has one."""
    user = signed_in(settings)
    if user is None:
        return None
    return {"sub": user.subject, **({"email": user.email} if user.email else {})}
