"""The cached AuraID lookup written on the stack the original service used, as a yardstick for the benchmark.

FastAPI under uvicorn (uvloop, httptools, one worker per core), PyJWT and redis-py's asyncio client with the
hiredis parser, all from Debian's packages. One request does what our cached resolve does on its hit path:

1. verify the bearer token: HS256 only (an allow-list, so ``alg: none`` and other algorithms are refused), the
   issuer, the audience and an expiry that must be present and in the future;
2. require the ``identity:read`` scope (the ``scope`` claim is a JSON array or a space-separated string);
3. one Redis GET of the profile JSON under ``peer:profile:{aura_id}`` (written by the benchmark);
4. the privacy check for a service caller: an active, public AuraID is visible; anything else answers like an
   unknown one (404);
5. answer the profile's public fields as JSON.

Written the way a careful FastAPI developer would (a dependency for authentication, a pooled Redis client per
worker, the response built directly), not slowed down on purpose: its figures are only worth comparing if they
are the best this stack gives without leaving it. One difference stays: our service remembers tokens it has
verified, the peer verifies the signature on every request (PyJWT's decode takes about 25 µs here).

Run: ``/usr/bin/python3 -m uvicorn resolve_peer:app --app-dir bench/peer --loop uvloop --http httptools
--workers $(nproc) --no-access-log`` with ``PEER_JWT_SECRET`` and ``PEER_REDIS_URL`` set.
"""

import json
import os
import re
import uuid

import jwt
import redis.asyncio as redis
from fastapi import Depends, FastAPI, Header, Request
from fastapi.responses import JSONResponse, Response

JWT_SECRET = os.environ["PEER_JWT_SECRET"]
JWT_ISSUER = os.environ.get("PEER_JWT_ISSUER", "auralink")
JWT_AUDIENCE = os.environ.get("PEER_JWT_AUDIENCE", "auralink-comm")
REDIS_URL = os.environ.get("PEER_REDIS_URL", "redis://127.0.0.1:6379/0")

#: The profile JSON of one AuraID, as the benchmark stores it (no TTL).
PROFILE_KEY = "peer:profile:{}"
#: The fields anyone allowed to see an AuraID gets, in the service's order.
PUBLIC_FIELDS = ("aura_id", "username", "display_name", "avatar_url", "matrix_user_id", "privacy_level",
                 "verified", "trust_level", "created_at")
#: The same grammar as the service: @ + 3-20 characters + .aura, matched case-insensitively, then lower-cased.
AURA_ID_INPUT = re.compile(r"^@([A-Za-z0-9_]+)\.(?i:aura)$")
CANONICAL_USERNAME = re.compile(r"^[a-z0-9][a-z0-9_]{2,19}$")

app = FastAPI(title="AuraID resolve peer", openapi_url=None, docs_url=None, redoc_url=None)


class ApiError(Exception):
    """An answer in the service's error envelope."""

    def __init__(self, status: int, code: str, message: str):
        self.status = status
        self.code = code
        self.message = message


@app.exception_handler(ApiError)
async def api_error(request: Request, error: ApiError) -> JSONResponse:
    return JSONResponse(status_code=error.status, content={"error": {
        "code": error.code, "message": error.message, "request_id": str(uuid.uuid4()), "details": {}}})


@app.on_event("startup")
async def connect_redis() -> None:
    # One pool per worker process (connections are not shared across workers); redis-py's default pool, which grows
    # with the requests in flight, measured faster here than a bounded blocking pool.
    app.state.redis = redis.from_url(REDIS_URL)


@app.on_event("shutdown")
async def close_redis() -> None:
    await app.state.redis.close()


@app.get("/health/live")
async def live() -> Response:
    """Up, for the benchmark's start-up wait."""
    return Response(status_code=200)


def scopes_of(claims: dict) -> set:
    scope = claims.get("scope")
    if isinstance(scope, list):
        return {str(s) for s in scope}
    if isinstance(scope, str):
        return set(scope.split())
    return set()


# The dependencies are coroutines: FastAPI runs a plain `def` dependency on its thread pool, which cut the throughput
# to about a third in a short run here.
async def caller(authorization: str | None = Header(default=None)) -> dict:
    """The verified claims of the bearer token, or 401."""
    if authorization is None or not authorization.startswith("Bearer "):
        raise ApiError(401, "AUTH_REQUIRED", "a Bearer token is required")
    try:
        claims = jwt.decode(authorization[7:], JWT_SECRET, algorithms=["HS256"], audience=JWT_AUDIENCE,
                            issuer=JWT_ISSUER, options={"require": ["exp", "iss", "aud", "sub"]})
    except jwt.InvalidTokenError as refused:
        raise ApiError(401, "INVALID_TOKEN", str(refused))
    return claims


async def reader(claims: dict = Depends(caller)) -> dict:
    """A caller allowed to resolve AuraIDs, or 403."""
    if "identity:read" not in scopes_of(claims):
        raise ApiError(403, "FORBIDDEN", "the token lacks the identity:read scope")
    return claims


def not_found() -> ApiError:
    return ApiError(404, "AURAID_NOT_FOUND", "no such AuraID")


@app.get("/internal/auraid/{aura_id}")
async def resolve(aura_id: str, claims: dict = Depends(reader)) -> Response:
    match = AURA_ID_INPUT.match(aura_id)
    username = match.group(1).lower() if match else None
    if username is None or not CANONICAL_USERNAME.match(username):
        raise not_found()
    canonical = f"@{username}.aura"
    stored = await app.state.redis.get(PROFILE_KEY.format(canonical))
    if stored is None:
        raise not_found()
    profile = json.loads(stored)
    if profile.get("status") != "active" or profile.get("privacy_level") != "public":
        raise not_found()
    # Returning the response directly skips FastAPI's generic encoder: the fields are already plain JSON values.
    return JSONResponse({field: profile.get(field) for field in PUBLIC_FIELDS})
