"""Self-hosted GraphiQL: pinned npm assets, the HTML page and the asset route."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from crm_graphql.api import graphiql
from crm_graphql.api.graphiql import (
    ASSETS,
    assets_dir,
    graphiql_page,
    routes,
    verify_assets,
)

NPM_HINT = "run `npm ci` in the project directory to install the GraphiQL assets"


def _sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def _installed() -> bool:
    return all((assets_dir() / rel).is_file() for rel, _ in ASSETS.values())


requires_assets = pytest.mark.skipif(not _installed(), reason=f"node_modules absent: {NPM_HINT}")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=routes)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@requires_assets
def test_verify_assets_reports_no_problem() -> None:
    assert verify_assets() == []


def test_verify_assets_reports_missing_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_ASSETS_DIR", str(tmp_path))
    problems = verify_assets()
    assert len(problems) == len(ASSETS)
    assert all("missing" in p for p in problems)


def test_verify_assets_reports_hash_mismatch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_ASSETS_DIR", str(tmp_path))
    for rel, _ in ASSETS.values():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"tampered")
    problems = verify_assets()
    assert len(problems) == len(ASSETS)
    assert all("hash mismatch" in p for p in problems)


def test_assets_dir_default_and_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRM_ASSETS_DIR", raising=False)
    repo_root = Path(graphiql.__file__).resolve().parents[2]
    assert assets_dir() == repo_root / "node_modules"
    monkeypatch.setenv("CRM_ASSETS_DIR", "/somewhere/else")
    assert assets_dir() == Path("/somewhere/else")


def test_page_references_every_asset_with_integrity_and_no_cdn() -> None:
    page = graphiql_page()
    for name, (_rel, sri) in ASSETS.items():
        assert f'src="/graphiql-assets/{name}" integrity="{sri}"' in page or (
            f'href="/graphiql-assets/{name}" integrity="{sri}"' in page
        ), name
    assert page.count("crossorigin") == len(ASSETS)
    assert "https://" not in page
    assert "unpkg" not in page and "jsdelivr" not in page
    assert "explorerPlugin" in page
    assert "subscriptionUrl" in page
    assert "isHeadersEditorEnabled: true" in page
    assert 'const GRAPHQL_PATH = "/graphql";' in page


def test_page_custom_paths_are_escaped() -> None:
    page = graphiql_page(graphql_path="/api/</script>", assets_prefix="/static/x/")
    assert '</script>";' not in page
    assert 'const GRAPHQL_PATH = "/api/\\u003c/script\\u003e";' in page
    name = next(iter(ASSETS))
    assert f'"/static/x/{name}"' in page
    assert "/graphiql-assets/" not in page


@requires_assets
@pytest.mark.parametrize("name", sorted(ASSETS))
async def test_asset_route_serves_pinned_bytes(client: httpx.AsyncClient, name: str) -> None:
    rel, sri = ASSETS[name]
    response = await client.get(f"/graphiql-assets/{name}")
    assert response.status_code == 200
    assert response.content == (assets_dir() / rel).read_bytes()
    assert _sri(response.content) == sri
    expected_type = "text/css" if name.endswith(".css") else "application/javascript"
    assert response.headers["content-type"].split(";")[0] == expected_type
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    "path",
    [
        "/graphiql-assets/unknown.js",
        "/graphiql-assets/../package.json",
        "/graphiql-assets/..%2Fpackage.json",
        "/graphiql-assets/%2E%2E%2F%2E%2E%2Fpackage.json",
        "/graphiql-assets/react%2Fumd%2Freact.production.min.js",
        "/graphiql-assets/",
    ],
)
async def test_asset_route_rejects_unknown_names(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404


async def test_asset_route_reports_missing_install(
    client: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRM_ASSETS_DIR", str(tmp_path))
    response = await client.get(f"/graphiql-assets/{next(iter(ASSETS))}")
    assert response.status_code == 503
    assert "npm ci" in response.text
    assert "immutable" not in response.headers.get("cache-control", "")
