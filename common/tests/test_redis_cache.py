"""Cache objects of different async contexts share one Redis connection pool per process."""

from __future__ import annotations

import asyncio

from django.core.cache.backends.redis import RedisCache

from common.redis_cache import SharedPoolRedisCache

URL = "redis://127.0.0.1:6379/15"


def pool_of(cache: RedisCache) -> object:
    # Building a pool opens no connection: no Redis is needed here.
    return cache._cache._get_connection_pool(write=False)


def test_two_cache_objects_of_one_server_share_a_pool_where_django_s_own_open_two():
    assert pool_of(SharedPoolRedisCache(URL, {})) is pool_of(SharedPoolRedisCache(URL, {}))
    assert pool_of(RedisCache(URL, {})) is not pool_of(RedisCache(URL, {}))


def test_each_async_context_s_cache_object_uses_the_same_pool():
    """What Channels' database hops and Django's async requests each get: a cache object of their own context."""

    async def in_a_fresh_context() -> object:
        return pool_of(SharedPoolRedisCache(URL, {}))

    async def main() -> list[object]:
        return await asyncio.gather(*(asyncio.create_task(in_a_fresh_context()) for _ in range(3)))

    pools = asyncio.run(main())
    assert all(pool is pools[0] for pool in pools)


def test_servers_or_options_that_differ_get_pools_of_their_own():
    assert pool_of(SharedPoolRedisCache(URL, {})) is not pool_of(SharedPoolRedisCache("redis://127.0.0.1:6379/14", {}))
    assert pool_of(SharedPoolRedisCache(URL, {})) is not pool_of(
        SharedPoolRedisCache(URL, {"OPTIONS": {"socket_timeout": 3}})
    )
