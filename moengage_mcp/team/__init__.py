"""The team server (issue 18): many users signing in with OAuth, many replicas sharing state.

- `oauth`: the OAuth 2.1 resource server (JWT access tokens against the issuer's JWKS), scopes to
  toolsets, and the signed-in user of the current request;
- `keys`: signing and sealing keys every replica derives from MOENGAGE_MCP_SECRET;
- `shared`: what replicas share (spend-once store, campaign locks, run counts, cache versions, the
  API budget), as interfaces with today's in-process implementation;
- `redis_state`, `budget`: the same over Redis (the `team` extra).
"""
