"""Django's Redis cache backend, keeping one Redis client per connection pool, and counting calls
in a sliding window for the API rate limit.

Django builds a new ``redis.Redis`` around its connection pool for every cache call: about
60 µs, three times a request here (the session, and the API rate limit). A client is only a
handle on its pool, safe to share between threads, so one is kept per pool.
"""
import math
import uuid

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

    def count_in_window(self, key: str, *, now: float, seconds: float, limit: int) -> float | None:
        """Count a call at ``now`` against ``limit`` calls in the last ``seconds``, under ``key``.

        None when the call is within the limit; otherwise the call is not counted, and the time of
        the oldest counted call is returned (the window has room again ``seconds`` after it). The
        calls are a sorted set, added to and counted in one transaction, so calls arriving together
        from several processes are each counted.
        """
        key = self.make_and_validate_key(key)
        call = f"{now!r}:{uuid.uuid4().hex}"
        client = self._cache.get_client(key, write=True)
        with client.pipeline(transaction=True) as transaction:
            transaction.zremrangebyscore(key, "-inf", now - seconds)
            transaction.zadd(key, {call: now})
            transaction.zcard(key)
            transaction.expire(key, math.ceil(seconds))
            counted = transaction.execute()[2]
        if counted <= limit:
            return None
        with client.pipeline(transaction=True) as transaction:
            transaction.zrem(key, call)
            transaction.zrange(key, 0, 0, withscores=True)
            oldest = transaction.execute()[1]
        return oldest[0][1] if oldest else now
