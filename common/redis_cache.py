"""Django's Redis cache with one connection pool per process, not one per async context.

Django keeps a cache object per thread *and per asyncio context*
(`django.core.cache.caches` is an asgiref `Local`), and each cache object
opens its own redis-py `ConnectionPool`. Channels runs every database hop
(`database_sync_to_async`) and Django every async request in a fresh
context, so each of them got a fresh pool and opened a new TCP connection
to Redis (connect, `HELLO`, `CLIENT SETINFO`), then dropped it. Reading a
session from the cache (distributed mode's `cached_db` engine) cost about a
millisecond of CPU per socket connect that way (bench/analysis.md,
"Connect cost"). redis-py pools are thread-safe and re-create their
connections after a fork, so one pool per server URL and options is shared.
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_pools: dict[tuple[str, str], Any] = {}
_lock = threading.Lock()


class SharedPoolRedisCacheClient(RedisCacheClient):
    def _get_connection_pool(self, write: bool) -> Any:
        index = self._get_connection_pool_index(write)
        key = (self._servers[index], repr(sorted(self._pool_options.items(), key=lambda item: item[0])))
        pool = _pools.get(key)
        if pool is None:
            with _lock:
                pool = _pools.get(key)
                if pool is None:
                    pool = _pools[key] = self._pool_class.from_url(self._servers[index], **self._pool_options)
        return pool


class SharedPoolRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache` whose cache objects share the process's pools."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedPoolRedisCacheClient
