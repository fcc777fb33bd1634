"""Bearer tokens: reading ``Authorization: Bearer <token>`` and comparing in constant time.

One place for it, used by the delivery layer (preview answers), the event streams, the event
server and the editing API (write tokens, kept hashed) alike, so that a token means the same
thing everywhere.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field


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


# Write tokens: editors' tokens are kept only as SHA-256 digests (WRITE_TOKENS_FILE), so the
# file grants nothing to whoever reads it; a request's token is hashed and compared with every
# digest in constant time, without stopping at the first match.

DIGEST_LENGTH = 64  # hex characters of a SHA-256 digest


@dataclass(frozen=True, slots=True)
class WriteToken:
    """One editor's token, as the tokens file has it: the digest, and who writes with it."""

    digest: str = field(repr=False)
    email: str
    name: str


def token_digest(token: str) -> str:
    """The SHA-256 of a token, in hex: what the tokens file keeps."""
    return hashlib.sha256(token.encode()).hexdigest()


def parse_write_tokens(text: str) -> list[WriteToken]:
    """The lines of a tokens file: ``<sha256 hex> <email> <name...>``; blank lines and ``#``
    comments are skipped. A malformed line raises ``ValueError`` naming its number (never its
    content: it may hold a token pasted by mistake)."""
    tokens = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        parts = stripped.split(None, 2)
        digest = parts[0].lower()
        if (
            len(parts) < 3
            or len(digest) != DIGEST_LENGTH
            or any(char not in "0123456789abcdef" for char in digest)
            or "@" not in parts[1]
        ):
            raise ValueError(
                f"line {number}: expected '<sha256 of the token, 64 hex digits> <email> <name>'"
            )
        tokens.append(WriteToken(digest, parts[1], parts[2].strip()))
    return tokens


def find_write_token(authorization: str | None, tokens: list[WriteToken]) -> WriteToken | None:
    """The token of an ``Authorization: Bearer`` header among ``tokens``, or ``None``.

    The given token is hashed, and its digest compared with every digest in constant time:
    neither the time of one comparison nor the number made says how much of a digest matched.
    """
    given = bearer_token(authorization)
    if not given:
        return None
    digest = token_digest(given).encode()
    found = None
    for token in tokens:
        if hmac.compare_digest(digest, token.digest.encode()) and found is None:
            found = token
    return found
