"""The Redis cache backend against a real Redis (REDIS_TEST_URL, default redis://127.0.0.1:6379/15)."""

import os
import secrets
import threading

import pytest
import redis

from twinning.cache import TolerantRedisCache

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def cache():
    try:
        redis.Redis.from_url(REDIS_TEST_URL).ping()
    except redis.ConnectionError as error:
        raise RuntimeError(f"These tests need Redis at {REDIS_TEST_URL}: {error}") from error
    backend = TolerantRedisCache(REDIS_TEST_URL, {"KEY_PREFIX": f"test-{secrets.token_hex(4)}"})
    yield backend
    backend.clear()


def test_one_redis_client_serves_every_operation(cache):
    cache.set("a", 1)
    client = cache._cache.get_client(write=True)
    assert cache.get("a") == 1
    cache.set_many({"b": 2, "c": 3})
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": 2, "c": 3}
    assert cache._cache.get_client() is client
    assert cache._cache.get_client(write=True) is client


def test_the_shared_client_is_safe_across_threads(cache):
    errors = []

    def work(n):
        try:
            for i in range(50):
                cache.set(f"t{n}-{i}", i)
                assert cache.get(f"t{n}-{i}") == i
        except Exception as error:  # reported below, from the main thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert cache.get_many([f"t{n}-49" for n in range(8)]) == {f"t{n}-49": 49 for n in range(8)}
