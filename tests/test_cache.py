"""The production cache backend (carecoord/cache.py): Django's Redis cache, one client per pool."""
from django.core.cache import caches
from redis._parsers import _HiredisParser
from django.test import override_settings

from tests.conftest import redis_cache_url


def test_the_redis_cache_keeps_one_client_per_pool_and_works_through_it():
    with override_settings(CACHES={"default": {"BACKEND": "carecoord.cache.RedisCache", "LOCATION": redis_cache_url()}}):
        cache = caches["default"]
        cache.delete_many(["cache-test", "cache-count"])
        # Given two cache calls, the same client serves both
        assert cache._cache.get_client("a", write=True) is cache._cache.get_client("b")
        # and the cache works through it as Django's does: set, get, add, incr, delete
        cache.set("cache-test", {"n": 1}, 30)
        assert cache.get("cache-test") == {"n": 1}
        assert cache.add("cache-test", "other", 30) is False
        assert cache.add("cache-count", 0, 30) is True
        assert cache.incr("cache-count") == 1 and cache.get("cache-count") == 1
        cache.delete_many(["cache-test", "cache-count"])
        assert cache.get("cache-test") is None and cache.get("cache-count") is None
        # and its replies are parsed in C (hiredis, a dependency), not by redis-py's Python parser
        connection = cache._cache.get_client("a").connection_pool.get_connection()
        try:
            assert isinstance(connection._parser, _HiredisParser)
        finally:
            cache._cache.get_client("a").connection_pool.release(connection)
