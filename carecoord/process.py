"""Set-up of a long-running server process, once the application is loaded."""
import gc

# The collector's first generation runs when the tracked objects allocated and not yet freed pass this
# count. A request frees nearly all it makes by reference counting, so what accumulates is the cycles it
# leaves behind (a request and its response, a queryset and its query); at Python's 700 the collector ran
# several times within each list request, walking objects the request still used, and took 0.4-0.5 ms of
# a 10 ms case list API call (``gc.callbacks``, scale benchmark data). At 50,000 it runs once the garbage
# of some requests has accumulated: a few megabytes of cycles at most, collected all at once.
FIRST_GENERATION_THRESHOLD = 50_000


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
