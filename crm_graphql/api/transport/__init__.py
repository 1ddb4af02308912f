"""What a client's bytes meet around the GraphQL view (STYLE.md "api/transport/").

- ``request``: the per-request record (request id, operation, outcome, SQL statements),
  the ASGI middleware that times every request, writes one structured log line and feeds
  the metrics, and the schema extension that tells it the operation and its outcome.
- ``metrics``: Prometheus metrics (``prometheus-client``), ``/metrics`` with its access
  rule, multi-process mode for ``serve --workers N``, the open-subscriptions gauge.
- ``tracing``: OpenTelemetry spans through strawberry's own extension, only when an
  exporter is configured with the standard ``OTEL_*`` variables.
- ``apq``: Apollo's automatic persisted queries over POST and GET.
- ``http_cache``: cache headers (``ETag``, ``Cache-Control``, ``Vary``) and 304s for
  queries over GET.
- ``results``: which results are request errors (nothing executed).
"""
