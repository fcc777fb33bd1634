"""Bearer tokens: write tokens kept as SHA-256 digests, found by comparing the request's digest
with every one in constant time (never stopping at the first match), and a tokens file whose
bad line is named by its number, never by its content."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from api import tokens
from api.tokens import find_write_token, parse_write_tokens, token_digest

ADA = hashlib.sha256(b"ada-token").hexdigest()
GRACE = hashlib.sha256(b"grace-token").hexdigest()
FILE = (
    f"# editors\n\n{ADA} ada@example.com Ada Lovelace\n{GRACE}  grace@example.com  Grace Hopper\n"
)


def test_the_file_holds_digests_emails_and_names() -> None:
    found = parse_write_tokens(FILE)
    assert [(t.email, t.name) for t in found] == [
        ("ada@example.com", "Ada Lovelace"),
        ("grace@example.com", "Grace Hopper"),
    ]
    assert "ada-token" not in repr(found) and ADA not in repr(found)  # the digest is not shown


@pytest.mark.parametrize(
    "line",
    [
        "ada-token ada@example.com Ada",
        f"{ADA} ada@example.com",
        f"{ADA[:-1]} a@b.c A",
        f"{ADA} ada A",
    ],
)
def test_a_bad_line_is_named_by_its_number_only(line: str) -> None:
    with pytest.raises(ValueError, match="line 2") as raised:
        parse_write_tokens(f"# first\n{line}\n")
    assert "ada-token" not in str(raised.value)


def test_every_digest_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = hmac.compare_digest

    def compare(a: bytes, b: bytes) -> bool:
        calls.append(b)
        return real(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", compare)
    found = parse_write_tokens(FILE)
    assert find_write_token("Bearer ada-token", found).name == "Ada Lovelace"
    assert len(calls) == 2  # the match was first: the other digest was compared all the same
    assert find_write_token("Bearer nobody", found) is None
    assert find_write_token("Basic ada-token", found) is None
    assert find_write_token(None, found) is None
    assert token_digest("ada-token") == ADA
