"""The per-user socket cap across every server process, kept in Redis (distributed mode).

Each process also keeps its own count (`socket_base`), which is all the
embedded default needs. With Redis, a user's sockets on every server are
members of one sorted set, `sockets:user:<id>`, scored by when they expire:
a connect trims the expired, counts and adds in one Lua script, so two
servers cannot both take the last slot. Each process re-scores its members
every REFRESH_SECONDS, so the sockets of a process that died (SIGKILL)
expire after TTL_SECONDS instead of holding slots for ever. When Redis does
not answer, the cap falls back to the per-process count rather than
refusing everyone.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

TTL_SECONDS = 60.0
REFRESH_SECONDS = 20.0
PROCESS = uuid.uuid4().hex[:12]
CLAIM = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""

_clients: dict[asyncio.AbstractEventLoop, Any] = {}
_scripts: dict[Any, Any] = {}  # client -> its registered CLAIM script
_members: dict[str, int] = {}  # member -> user id, for the refresh
_refresher: asyncio.Task[None] | None = None


def enabled() -> bool:
    return bool(settings.REDIS_URL)


def _key(user_id: int) -> str:
    return f"sockets:user:{user_id}"


def _client() -> Any:
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        import redis.asyncio

        client = _clients[loop] = redis.asyncio.Redis.from_url(
            settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1
        )
    return client


def _claim_script() -> Any:
    """CLAIM as a redis-py `Script` of this loop's client.

    It sends `EVALSHA` with the script's digest (and loads the script once on
    `NOSCRIPT`, e.g. after a Redis restart) instead of the script's text on
    every connect, as `EVAL` did.
    """
    client = _client()
    script = _scripts.get(client)
    if script is None:
        script = _scripts[client] = client.register_script(CLAIM)
    return script


async def claim(user_id: int, member: str, cap: int) -> bool:
    """Take one of `user_id`'s `cap` slots across the cluster; True when taken (or Redis is away)."""
    global _refresher
    now = time.time()
    try:
        taken = await _claim_script()(
            keys=[_key(user_id)], args=[now, cap, now + TTL_SECONDS, member, int(TTL_SECONDS)]
        )
    except Exception:  # noqa: BLE001 - see the module docstring
        logger.warning("socket cap: Redis unavailable, counting this process only")
        return True
    if taken:
        _members[member] = user_id
        if _refresher is None or _refresher.done():
            _refresher = asyncio.get_running_loop().create_task(_refresh())
    return bool(taken)


async def release(member: str) -> None:
    user_id = _members.pop(member, None)
    if user_id is None:
        return
    try:
        await _client().zrem(_key(user_id), member)
    except Exception:  # noqa: BLE001 - it expires after TTL_SECONDS anyway
        logger.warning("socket cap: could not release a slot; it expires in %.0fs", TTL_SECONDS)


async def _refresh() -> None:
    while _members:
        await asyncio.sleep(REFRESH_SECONDS)
        expiry = time.time() + TTL_SECONDS
        try:
            async with _client().pipeline(transaction=False) as pipe:
                for member, user_id in list(_members.items()):
                    pipe.zadd(_key(user_id), {member: expiry}, xx=True)
                await pipe.execute()
        except Exception:  # noqa: BLE001 - next round
            logger.warning("socket cap: refresh failed; will retry")


def member_id(socket: Any) -> str:
    return f"{PROCESS}:{id(socket)}"
