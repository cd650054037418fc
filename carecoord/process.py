"""Set-up of a long-running server process, once the application is loaded."""
import gc

# The collector's first generation runs when the tracked objects made and not yet freed pass this count.
# Reference counting frees most of what a request makes, but not the 120-1,100 objects it leaves in reference
# cycles (a request and its response, DRF's view and serializers, a form and its fields refer to each other, and
# so hold the page they show: a case list API call leaves the most); only the collector frees those. At Python's
# 700 it ran more than once a request, often in the middle of one, walking the objects the request was still
# using and moving them to older generations to be walked again. At 10,000 it runs about once every thirteen
# requests, on garbage: 0.37-0.46 ms a request instead of 0.62-0.67 over 1,200 requests of case lists, work
# queues, Cases pages and the dashboard at 1M members (``gc.callbacks``, separate processes in turns), with the
# same peak memory. Higher is worse: at 50,000 each run frees some sixty requests' garbage at once (about 50 ms;
# 63 ms at the 99th percentile), more time in all and 10 MB more memory.
FIRST_GENERATION_THRESHOLD = 10_000


def prepare_server_process() -> None:
    """Tune the garbage collector for serving requests. First, move everything loaded so far (Django, the
    URL conf, models, templates' libraries: some 200,000 objects) out of the collector's sight. They live
    as long as the process, yet a full collection walks them all, and a large export allocates enough to
    start several: the tracking-list export of 16,000 rows ran 15-25% faster frozen (scale benchmark,
    README). Then collect young objects less often (``FIRST_GENERATION_THRESHOLD``); the older
    generations keep Python's ratios (a middle collection every ten young ones, a full one every ten
    middle ones). Called by the WSGI entry point in each server process, and by the benchmark to measure
    the same."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(FIRST_GENERATION_THRESHOLD, middle, old)
