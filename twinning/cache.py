"""A Redis cache that treats an unreachable Redis as a cache miss instead of an error.

Django's RedisCache raises when Redis is down, which would turn a cache outage into a site
outage. This backend logs the failure and carries on: reads miss, writes are dropped. Socket
timeouts (settings) keep a hung Redis from holding requests.

It also reuses its Redis client. Django's client builds a new ``redis.Redis`` for every cache
operation, and each one fills a table of some 170 response callbacks: a fifth of the time of a
page served from the cache. A ``redis.Redis`` is safe to share (it takes a connection from its
pool for each command), so one per connection pool is enough.
"""

import functools
import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("twinning.cache")
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _tolerant(method, fallback):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except UNAVAILABLE as error:
            logger.warning("cache unavailable: %s", type(error).__name__, extra={"event": "cache_down"})
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    return wrapper


def _default(key, default=None, *args, **kwargs):
    return default


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, keeping one ``redis.Redis`` per connection pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    get = _tolerant(RedisCache.get, _default)
    get_many = _tolerant(RedisCache.get_many, {})
    has_key = _tolerant(RedisCache.has_key, False)
    set = _tolerant(RedisCache.set, None)
    add = _tolerant(RedisCache.add, False)
    touch = _tolerant(RedisCache.touch, False)
    delete = _tolerant(RedisCache.delete, False)
    set_many = _tolerant(RedisCache.set_many, lambda data, *a, **k: list(data))
    delete_many = _tolerant(RedisCache.delete_many, None)
    incr = _tolerant(RedisCache.incr, lambda key, delta=1, *a, **k: delta)
    clear = _tolerant(RedisCache.clear, False)

    def get_or_set(self, key, default, timeout=None, version=None):
        # Built on get and add, which already tolerate an outage; compute the value on a miss.
        value = self.get(key, version=version)
        if value is None:
            value = default() if callable(default) else default
            if value is not None:
                self.add(key, value, timeout=timeout, version=version)
        return value
