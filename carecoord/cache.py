"""Django's Redis cache backend, keeping one Redis client per connection pool.

Django builds a new ``redis.Redis`` around its connection pool for every cache call: about
60 µs, three times a request here (the session, and the API rate limit's read and write). A
client is only a handle on its pool, safe to share between threads, so one is kept per pool.
"""
from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with :class:`RedisCacheClient`."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
