"""Load harness for the ``/play`` namespace (DESIGN.md §3, §5): ``python -m bench.harness --help``.

Nothing is imported here on purpose: ``bench.worker`` must monkey-patch with gevent before any other import.
"""
