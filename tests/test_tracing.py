"""OpenTelemetry: spans when an exporter is configured by the OTEL_* variables, nothing otherwise."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
import pytest

from crm_graphql.api.transport import tracing


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_TRACES_EXPORTER": "console"}, True),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, False),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, False),
    ],
)
def test_configured_by_the_standard_variables(env: dict[str, str], expected: bool) -> None:
    assert tracing.configured(env) is expected


def test_nothing_of_opentelemetry_is_loaded_without_configuration() -> None:
    script = (
        "import sys\n"
        "from crm_graphql.app import create_app\n"
        "create_app()\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('opentelemetry'))\n"
        "print(loaded)\n"
    )
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("OTEL_")}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


class _Collector(BaseHTTPRequestHandler):
    bodies: list[bytes] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        if self.path == "/v1/traces":
            type(self).bodies.append(self.rfile.read(length))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def _spans(bodies: list[bytes]) -> list[Any]:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    spans = []
    for body in bodies:
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        for resource in request.resource_spans:
            for scope in resource.scope_spans:
                spans.extend(scope.spans)
    return spans


def _attributes(span: Any) -> dict[str, str]:
    return {a.key: a.value.string_value or str(a.value.int_value) for a in span.attributes}


@pytest.mark.slow
def test_spans_reach_an_otlp_collector(live_server: Any) -> None:
    # given a local OTLP/HTTP collector and a server pointed at it by the standard variables
    _Collector.bodies = []
    collector = HTTPServer(("127.0.0.1", 0), _Collector)
    threading.Thread(target=collector.serve_forever, daemon=True).start()
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{collector.server_port}",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "OTEL_SERVICE_NAME": "crm-graphql-test",
    }
    try:
        with live_server(env=env) as server:
            headers = {"Authorization": f"Bearer {server.token}"}
            # when a query and a mutation with personal data run
            query = httpx.post(
                f"{server.url}/graphql",
                json={"query": "query Traced { viewer { email } }"},
                headers=headers,
                timeout=30,
            )
            mutation = 'mutation TracedWrite { createAccount(input: { name: "Jane Private" }) { userErrors { code } } }'
            httpx.post(f"{server.url}/graphql", json={"query": mutation}, headers=headers, timeout=30)
            deadline = time.monotonic() + 30
            names: set[str] = set()
            while time.monotonic() < deadline and not {"GraphQL Query: Traced", "GraphQL Query: TracedWrite"} <= names:
                time.sleep(0.2)
                names = {span.name for span in _spans(_Collector.bodies)}
    finally:
        collector.shutdown()
        collector.server_close()
    # then the collector got the operation spans with their parts and the request id
    spans = _spans(_Collector.bodies)
    assert {"GraphQL Query: Traced", "GraphQL Query: TracedWrite", "GraphQL Parsing", "GraphQL Validation"} <= names
    assert "GraphQL Resolving: viewer" in names
    traced = next(span for span in spans if span.name == "GraphQL Query: Traced")
    assert _attributes(traced)["crm.request_id"] == query.headers["x-request-id"]
    # and no span carries the mutation's input
    resolving = [span for span in spans if span.name == "GraphQL Resolving: createAccount"]
    assert resolving and all("Jane Private" not in str(_attributes(span)) for span in resolving)
