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
        calls are a sorted set, pruned, counted and added to by one script, which Redis runs alone,
        so calls arriving together from several processes are each counted.
        """
        key = self.make_and_validate_key(key)
        script = self._cache.get_client(key, write=True).register_script(_COUNT_IN_WINDOW)  # sent by its hash
        # Times are sent as Python writes them: Lua would round a number it formats to 14 digits.
        oldest = script(keys=[key], args=[repr(now), repr(now - seconds), limit, f"{now!r}:{uuid.uuid4().hex}",
                                          math.ceil(seconds)])
        return None if oldest is None else float(oldest)


# One round trip, where a MULTI of the four commands and its replies cost twice the Python time of a call.
# KEYS[1]: the window's sorted set. ARGV: now, the window's start, the limit, the call's member, the set's lifetime.
_COUNT_IN_WINDOW = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
    return redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2] or ARGV[1]
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return false
"""
