"""Scale tooling: a realistic bulk data set (``generate_dataset``) and the benchmark (``benchmark``).

A plain package, not an app: it owns no models. The management commands live in
``carecoord/accounts/management/commands/``.
"""
