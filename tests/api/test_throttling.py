"""The API's rate limit with the production cache: a sliding window counted in Redis itself, so
calls arriving together from several server processes are each counted (carecoord/api/throttling.py)."""
import threading
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.test import override_settings

from carecoord.api.throttling import PerTokenRateThrottle
from tests.conftest import redis_cache_url

REDIS_CACHE = {"default": {"BACKEND": "carecoord.cache.RedisCache", "LOCATION": redis_cache_url()}}


class FivePerMinute(PerTokenRateThrottle):
    THROTTLE_RATES = {"token": "5/minute"}


def _caller(pk: int):
    return SimpleNamespace(auth=SimpleNamespace(pk=pk), user=None)


@pytest.fixture
def redis_cache():
    with override_settings(CACHES=REDIS_CACHE):
        caches["default"].clear()
        yield caches["default"]
        caches["default"].clear()


def test_the_limit_holds_refused_calls_do_not_count_and_retry_after_is_when_a_call_leaves_the_window(redis_cache):
    # Given a token's five calls within a minute
    clock = [1000.0]

    def throttle():
        on_the_clock = FivePerMinute()
        on_the_clock.timer = lambda: clock[0]
        return on_the_clock

    answered = []
    for second in range(5):
        clock[0] = 1000.0 + second
        answered.append(throttle().allow_request(_caller(1), None))
    assert answered == [True] * 5
    # When it calls a sixth time, one second after the fifth
    clock[0] = 1005.0
    refused = throttle()
    # Then it is refused until its first call is a minute old, 55 seconds on
    assert refused.allow_request(_caller(1), None) is False
    assert refused.wait() == pytest.approx(55.0)
    # and the refused call does not count: once the first call leaves the window, one more is answered
    clock[0] = 1060.5
    assert throttle().allow_request(_caller(1), None) is True
    assert throttle().allow_request(_caller(1), None) is False
    # while another token has its own count
    assert throttle().allow_request(_caller(2), None) is True


def test_calls_arriving_together_are_each_counted(redis_cache):
    # Given 30 calls of one token arriving at once, as from several server processes
    start = threading.Barrier(30)
    answers = []

    def call():
        throttle = FivePerMinute()
        start.wait()
        answers.append(throttle.allow_request(_caller(7), None))

    threads = [threading.Thread(target=call) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then exactly the limit is answered
    assert answers.count(True) == 5 and len(answers) == 30
