"""The server process's set-up (carecoord.process): what the WSGI entry point and the benchmark run once loaded."""
import gc

import pytest

from carecoord.process import FIRST_GENERATION_THRESHOLD, prepare_server_process


@pytest.fixture
def collector_restored():
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_the_loaded_objects_are_frozen_and_young_objects_collected_less_often(collector_restored):
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    holder = [object()]  # a container the process holds from start-up: the collector tracks it

    prepare_server_process()

    assert gc.get_freeze_count() > 0
    assert not any(holder is obj for obj in gc.get_objects())  # out of every generation's sight
    assert gc.get_threshold() == (FIRST_GENERATION_THRESHOLD, 10, 10)
