"""Bearer tokens: reading ``Authorization: Bearer <token>`` and comparing in constant time.

One place for it, used by the delivery layer (preview answers), the event streams and the
event server alike, so that a token means the same thing everywhere.
"""

from __future__ import annotations

import hmac


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; ``None`` for any other."""
    if not authorization:
        return None
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip()


def bearer_matches(authorization: str | None, token: str | None) -> bool:
    """``Authorization: Bearer <token>``, compared in constant time; never with no token set."""
    if token is None:
        return False
    given = bearer_token(authorization)
    if given is None:
        return False
    return hmac.compare_digest(given.encode(), token.encode())
