"""OpenTelemetry spans through strawberry's own ``OpenTelemetryExtension``, only when an
exporter is configured with the standard variables:

- ``OTEL_TRACES_EXPORTER`` (``otlp``, ``console``, or both comma-separated; ``none`` turns
  tracing off), or ``OTEL_EXPORTER_OTLP_ENDPOINT`` / ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``
  alone (then ``otlp``); ``OTEL_SDK_DISABLED=true`` wins over all of them;
- the exporter and batch processor read their own ``OTEL_EXPORTER_OTLP_*`` and
  ``OTEL_BSP_*`` settings; ``OTEL_SERVICE_NAME`` defaults to ``crm-graphql``.

OTLP goes over HTTP/protobuf (``OTEL_EXPORTER_OTLP_PROTOCOL=grpc`` needs the gRPC
exporter package installed as well). The packages are the optional extra
``pip install crm-graphql[otel]``; without tracing configured nothing of OpenTelemetry is
imported, and configured without the packages the server starts and logs why there are no
spans.

Spans: one per operation (``GraphQL Query: <name>``, with ``crm.request_id``), its parsing
and validation, and one per resolver that is not a plain attribute. Resolver arguments
are recorded only for paging and ids (:data:`TRACED_ARGUMENTS`): inputs and filters may
carry personal data.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Generator, Mapping
from typing import Any

logger = logging.getLogger("crm_graphql.tracing")

TRACED_ARGUMENTS = frozenset({"id", "ids", "first", "last", "after", "before"})
_provider: Any = None


def configured(env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporters = env.get("OTEL_TRACES_EXPORTER")
    if exporters is not None:
        return any(name.strip().lower() not in ("", "none") for name in exporters.split(","))
    return bool(env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def schema_extensions() -> list[Callable[[], Any]]:
    """Extension factories for the schema: strawberry's OpenTelemetry extension when tracing
    is configured and its packages are installed, else none."""
    if not configured():
        return []
    provider = _tracer_provider()
    if provider is None:
        return []
    from strawberry.extensions.base_extension import LifecycleStep
    from strawberry.extensions.tracing import OpenTelemetryExtension

    from crm_graphql.api.transport.request import current_request_id

    class RequestTracing(OpenTelemetryExtension):
        def on_validate(self) -> Generator[None, None, None]:
            span = self._span_holder.get(LifecycleStep.OPERATION)
            request_id = current_request_id()
            if span is not None and request_id:
                span.set_attribute("crm.request_id", request_id)
            yield from super().on_validate()

    return [lambda: RequestTracing(arg_filter=_safe_arguments, tracer_provider=provider)]


def _safe_arguments(arguments: dict[str, Any], _info: Any) -> dict[str, Any]:
    return {name: value for name, value in arguments.items() if name in TRACED_ARGUMENTS}


def _tracer_provider() -> Any:
    """One provider per process, built from the environment (None when it cannot be)."""
    global _provider
    if _provider is not None:
        return _provider
    try:
        from opentelemetry import trace
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        logger.warning("OTEL_* asks for traces but OpenTelemetry is not installed: pip install 'crm-graphql[otel]'.")
        return None
    exporters = _exporters()
    if not exporters:
        return None
    attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": "crm-graphql"}
    provider = TracerProvider(resource=Resource.create(attributes))
    for exporter in exporters:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _provider = provider
    return provider


def _exporters() -> list[Any]:
    names = os.environ.get("OTEL_TRACES_EXPORTER", "otlp")
    exporters: list[Any] = []
    for name in (n.strip().lower() for n in names.split(",")):
        if name in ("", "none"):
            continue
        if name == "console":
            from opentelemetry.sdk.trace.export import ConsoleSpanExporter

            exporters.append(ConsoleSpanExporter())
        elif name == "otlp":
            exporter = _otlp_exporter()
            if exporter is not None:
                exporters.append(exporter)
        else:
            logger.warning("OTEL_TRACES_EXPORTER=%s is not supported here (otlp, console): ignored.", name)
    return exporters


def _otlp_exporter() -> Any:
    protocol = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or os.environ.get(
        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"
    )
    try:
        if protocol.strip().lower() == "grpc":
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter

            return GrpcExporter()
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    except ImportError:
        logger.warning("No OTLP exporter for protocol %s is installed: pip install 'crm-graphql[otel]'.", protocol)
        return None
