"""Set-up of a long-running server process, once the application is loaded."""
import gc


def freeze_startup_objects() -> None:
    """Move everything loaded so far (Django, the URL conf, models, templates' libraries: some
    200,000 objects) out of the garbage collector's sight. They live as long as the process, yet a
    full collection walks them all, and a large export allocates enough to start several: the
    tracking-list export of 16,000 rows ran 15–25% faster frozen (scale benchmark, README).
    Called by the WSGI entry point in each server process, and by the benchmark to measure the same."""
    gc.collect()
    gc.freeze()
