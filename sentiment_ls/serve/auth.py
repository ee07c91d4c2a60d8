"""Bearer tokens for the service. Several may be accepted at once (for rotation); they come
from SENTIMENT_LS_SERVICE_TOKEN (one token: the variable the clients send theirs from, so
that one shell can run the service and a client), SENTIMENT_LS_SERVICE_TOKENS
(comma-separated) or a file (one a line). The service keeps only their sha256 digests (what
Ray stores with the deployment holds no token), and compares a presented token's digest with
each in constant time. A refusal names the variable a client sends its token from."""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from sentiment_ls.analysis.request import DEFAULT_TOKEN_ENV

TOKENS_ENV = "SENTIMENT_LS_SERVICE_TOKENS"
MIN_TOKEN_CHARS = 16
# What a refused client should do: the clients' variable (the editor's `service.tokenEnv`
# and check's `--service-token-env` may name another).
SET_THE_TOKEN = (
    f"set {DEFAULT_TOKEN_ENV} in the client's environment to one of this service's tokens"
)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def read_tokens(environ: Mapping[str, str] | None = None, file: Path | None = None) -> list[str]:
    """The accepted tokens; ValueError names a token too short to be one (never its text)."""
    environ = os.environ if environ is None else environ
    found = [environ.get(DEFAULT_TOKEN_ENV, "").strip()]
    found += [t.strip() for t in environ.get(TOKENS_ENV, "").split(",")]
    if file is not None:
        lines = file.read_text(encoding="utf-8").splitlines()
        found += [line.strip() for line in lines if not line.lstrip().startswith("#")]
    tokens = list(dict.fromkeys(t for t in found if t))
    short = [i for i, t in enumerate(tokens) if len(t) < MIN_TOKEN_CHARS]
    if short:
        raise ValueError(
            f"{len(short)} token(s) shorter than {MIN_TOKEN_CHARS} characters: use random ones "
            "(`python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
        )
    return tokens


def check_authorization(header: str | None, digests: Iterable[str]) -> tuple[int, str] | None:
    """None when the request may pass, else (401 or 403, why). No digests: open service."""
    accepted = list(digests)
    if not accepted:
        return None
    if not header:
        return 401, f"a bearer token is required (Authorization: Bearer ...): {SET_THE_TOKEN}"
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return 401, f"the Authorization header must be `Bearer <token>`: {SET_THE_TOKEN}"
    presented = digest(token.strip())
    matched = False
    for known in accepted:  # every digest is compared: the time does not say which matched
        matched |= hmac.compare_digest(presented, known)
    return None if matched else (403, f"the token is not accepted: {SET_THE_TOKEN}")
