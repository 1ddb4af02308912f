"""Self-hosted GraphiQL: the HTML page and its pinned browser assets (no CDN).

The third-party JavaScript/CSS files are not part of this repository. They are
npm dependencies declared in ``package.json`` / ``package-lock.json`` at the
repository root and installed with ``npm ci`` into ``node_modules/``.  This
module serves exactly the files listed in :data:`ASSETS` from there, and the
page produced by :func:`graphiql_page` references each of them with a
Subresource Integrity (``integrity="sha384-..."``) attribute.  The hashes are
the ones strawberry-graphql 0.341 pins in its own GraphiQL template for the same
package versions, so a browser refuses any file that is not byte-identical to
the published release.

* :func:`graphiql_page` -- the HTML page (the GraphQL view returns it for
  browser ``GET`` requests).
* :data:`routes` -- ``GET /graphiql-assets/{name}`` serving the pinned files.
* :func:`verify_assets` -- lists missing or altered asset files (empty if fine).

The location of ``node_modules`` can be overridden with the ``CRM_ASSETS_DIR``
environment variable (read on every call, not at import time).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import stat
from pathlib import Path
from typing import Final

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

__all__ = [
    "ASSETS",
    "ASSETS_ENV_VAR",
    "DEFAULT_ASSETS_PREFIX",
    "MISSING_ASSETS_MESSAGE",
    "asset",
    "assets_dir",
    "graphiql_page",
    "page_headers",
    "routes",
    "verify_assets",
]

ASSETS_ENV_VAR: Final = "CRM_ASSETS_DIR"
DEFAULT_ASSETS_PREFIX: Final = "/graphiql-assets"
MISSING_ASSETS_MESSAGE: Final = "GraphiQL assets are not installed: run `npm ci` in the project directory"

# URL file name -> (path relative to node_modules, expected SRI hash).
# The served names carry the package version, so the year-long "immutable"
# cache header stays correct when a dependency is upgraded (new URL).
# Hashes copied from strawberry/static/graphiql.html (strawberry-graphql 0.341).
ASSETS: Final[dict[str, tuple[str, str]]] = {
    "react-18.2.0.production.min.js": (
        "react/umd/react.production.min.js",
        "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    ),
    "react-dom-18.2.0.production.min.js": (
        "react-dom/umd/react-dom.production.min.js",
        "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
    ),
    "graphiql-3.8.3.min.css": (
        "graphiql/graphiql.min.css",
        "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    ),
    "graphiql-3.8.3.min.js": (
        "graphiql/graphiql.min.js",
        "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    ),
    "graphiql-plugin-explorer-1.0.2.css": (
        "@graphiql/plugin-explorer/dist/style.css",
        "sha384-5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi",
    ),
    "graphiql-plugin-explorer-1.0.2.umd.js": (
        "@graphiql/plugin-explorer/dist/index.umd.js",
        "sha384-2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9",
    ),
}

_STYLESHEETS: Final = ("graphiql-3.8.3.min.css", "graphiql-plugin-explorer-1.0.2.css")
_HEAD_SCRIPTS: Final = (
    "react-18.2.0.production.min.js",
    "react-dom-18.2.0.production.min.js",
)
_BODY_SCRIPTS: Final = (
    "graphiql-3.8.3.min.js",
    "graphiql-plugin-explorer-1.0.2.umd.js",
)

_MEDIA_TYPES: Final[dict[str, str]] = {
    ".js": "application/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
_CACHE_CONTROL: Final = "public, max-age=31536000, immutable"


def assets_dir() -> Path:
    """Return the ``node_modules`` directory holding the GraphiQL assets.

    ``$CRM_ASSETS_DIR`` when set (and non-empty), otherwise ``node_modules``
    at the repository root (two levels above the ``crm_graphql`` package).
    """
    override = os.environ.get(ASSETS_ENV_VAR)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "node_modules"


def _sri_sha384(data: bytes) -> str:
    digest = hashlib.sha384(data).digest()
    return "sha384-" + base64.b64encode(digest).decode("ascii")


def verify_assets() -> list[str]:
    """Check every file in :data:`ASSETS`; return the problems found.

    An empty list means every file exists and matches its pinned SRI hash.
    """
    base = assets_dir()
    problems: list[str] = []
    for name, (rel_path, expected) in ASSETS.items():
        path = base / rel_path
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            problems.append(f"{name}: missing file {path}")
            continue
        except OSError as exc:
            problems.append(f"{name}: cannot read {path}: {exc}")
            continue
        actual = _sri_sha384(data)
        if actual != expected:
            problems.append(f"{name}: hash mismatch for {path}: expected {expected}, got {actual}")
    return problems


def _js_literal(value: str) -> str:
    """Encode ``value`` as a JavaScript string literal safe inside <script>."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def graphiql_page(
    graphql_path: str = "/graphql",
    assets_prefix: str = DEFAULT_ASSETS_PREFIX,
) -> str:
    """Return the GraphiQL HTML page.

    Assets load from ``{assets_prefix}/<name>`` with SRI attributes; queries
    go to ``graphql_path`` over HTTP and subscriptions over WebSocket
    (``graphql-transport-ws``, via the graphql-ws client bundled in GraphiQL)
    on the same path.  The headers editor is enabled and its contents are
    persisted in ``localStorage``; they are also sent as the WebSocket
    ``connection_init`` payload.
    """
    prefix = assets_prefix.rstrip("/")

    def url(name: str) -> str:
        return _attr(f"{prefix}/{name}")

    def sri(name: str) -> str:
        return _attr(ASSETS[name][1])

    stylesheets = "\n".join(
        f'    <link crossorigin rel="stylesheet" href="{url(n)}" integrity="{sri(n)}" />' for n in _STYLESHEETS
    )
    head_scripts = "\n".join(
        f'    <script crossorigin src="{url(n)}" integrity="{sri(n)}"></script>' for n in _HEAD_SCRIPTS
    )
    body_scripts = "\n".join(
        f'    <script crossorigin src="{url(n)}" integrity="{sri(n)}"></script>' for n in _BODY_SCRIPTS
    )
    missing_message = _js_literal(MISSING_ASSETS_MESSAGE)

    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>crm-graphql GraphiQL</title>
    <link rel="icon" href="data:," />
    <style>
      body {{
        height: 100%;
        margin: 0;
        width: 100%;
        overflow: hidden;
      }}

      #graphiql {{
        height: 100vh;
        display: flex;
      }}

      #graphiql.graphiql-missing {{
        display: block;
        padding: 2em;
        font-family: system-ui, sans-serif;
      }}

      .docExplorerHide {{
        display: none;
      }}

      .doc-explorer-contents {{
        overflow-y: hidden !important;
      }}

      .docExplorerWrap {{
        width: unset !important;
        min-width: unset !important;
      }}

      .graphiql-explorer-actions select {{
        margin-left: 4px;
      }}
    </style>
{stylesheets}
{head_scripts}
  </head>

  <body>
    <div id="graphiql" class="graphiql-container">Loading...</div>
    <noscript>GraphiQL needs JavaScript.</noscript>
{body_scripts}
    <script>
      (function () {{
        "use strict";

        const GRAPHQL_PATH = {_js_literal(graphql_path)};
        const container = document.getElementById("graphiql");

        if (
          typeof React === "undefined" ||
          typeof ReactDOM === "undefined" ||
          typeof GraphiQL === "undefined" ||
          typeof GraphiQLPluginExplorer === "undefined"
        ) {{
          container.className = "graphiql-missing";
          container.textContent = {missing_message};
          return;
        }}

        const DEFAULT_QUERY = `# Welcome to the crm-graphql GraphiQL.
#
# Run query: Ctrl-Enter.  Autocomplete: Ctrl-Space.
# Use the Headers tab for e.g. {{"Authorization": "Bearer <token>"}}.
# Open the Explorer (compass icon) to build queries by clicking.
`;

        // URL parameters (?q=...&variables=...) allow sharing a query.
        const parameters = {{}};
        for (const entry of window.location.search.slice(1).split("&")) {{
          const eq = entry.indexOf("=");
          if (eq >= 0) {{
            try {{
              parameters[decodeURIComponent(entry.slice(0, eq))] =
                decodeURIComponent(entry.slice(eq + 1));
            }} catch (e) {{
              // ignore malformed parameters
            }}
          }}
        }}

        function updateURL(data) {{
          Object.assign(parameters, data);
          const newSearch =
            "?" +
            Object.keys(parameters)
              .filter(function (key) {{
                return Boolean(parameters[key]);
              }})
              .map(function (key) {{
                return (
                  encodeURIComponent(key) +
                  "=" +
                  encodeURIComponent(parameters[key])
                );
              }})
              .join("&");
          history.replaceState(null, "", newSearch);
        }}

        const fetchURL = new URL(GRAPHQL_PATH, window.location.href);
        fetchURL.search = "";
        fetchURL.hash = "";
        const subscriptionURL = new URL(fetchURL.href);
        subscriptionURL.protocol =
          fetchURL.protocol === "https:" ? "wss:" : "ws:";

        const fetcher = GraphiQL.createFetcher({{
          url: fetchURL.href,
          subscriptionUrl: subscriptionURL.href,
        }});

        const explorerPlugin = GraphiQLPluginExplorer.explorerPlugin();

        function CrmGraphiQL() {{
          const [query, setQuery] = React.useState(parameters.q);
          const [variables, setVariables] = React.useState(
            parameters.variables,
          );

          function onEditQuery(newQuery) {{
            setQuery(newQuery);
            updateURL({{ q: newQuery }});
          }}

          function onEditVariables(newVariables) {{
            setVariables(newVariables);
            updateURL({{ variables: newVariables }});
          }}

          return React.createElement(GraphiQL, {{
            fetcher: fetcher,
            defaultQuery: DEFAULT_QUERY,
            defaultEditorToolsVisibility: true,
            plugins: [explorerPlugin],
            query: query,
            variables: variables,
            onEditQuery: onEditQuery,
            onEditVariables: onEditVariables,
            inputValueDeprecation: true,
            isHeadersEditorEnabled: true,
            shouldPersistHeaders: true,
          }});
        }}

        const root = ReactDOM.createRoot(container);
        root.render(React.createElement(CrmGraphiQL));
      }})();
    </script>
  </body>
</html>
"""


def _inline_hashes(page: str, tag: str) -> str:
    return " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
        for body in re.findall(rf"<{tag}>(.*?)</{tag}>", page, re.DOTALL)
    )


_SOCKET_HOST = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


def page_headers(page: str, socket_origin: str | None = None) -> dict[str, str]:
    """Security headers of the GraphiQL page: a Content-Security-Policy that lets it load
    only its own assets (same origin) and run only its own inline script (by hash), talk
    only to this server (HTTP and WebSocket), and never be framed (clickjacking).

    ``socket_origin`` (``ws://host:port`` of the page's own host): ``'self'`` covers a
    same-host ``ws:`` URL only in browsers that implement CSP Level 3's rule for it, so the
    subscriptions' origin is named as well.

    Styles allow ``'unsafe-inline'``: GraphiQL's editors set style attributes at run time.
    """
    policy = "; ".join(
        (
            "default-src 'none'",
            f"script-src 'self' {_inline_hashes(page, 'script')}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            f"connect-src 'self' {socket_origin}" if socket_origin else "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )
    return {
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


async def asset(request: Request) -> Response:
    """Serve one pinned GraphiQL asset: ``GET /graphiql-assets/{name}``.

    Only names listed in :data:`ASSETS` are served (404 otherwise, so no path
    from the request ever reaches the filesystem); 503 with an explanatory
    plain-text message when ``node_modules`` has not been installed.
    """
    name = request.path_params.get("name")
    if not isinstance(name, str) or name not in ASSETS:
        return PlainTextResponse("Not Found", status_code=404)
    rel_path, _sri = ASSETS[name]
    path = assets_dir() / rel_path
    try:
        stat_result = path.stat()
    except OSError:
        stat_result = None
    if stat_result is None or not stat.S_ISREG(stat_result.st_mode):
        return PlainTextResponse(
            MISSING_ASSETS_MESSAGE,
            status_code=503,
            headers={"Cache-Control": "no-store"},
        )
    suffix = os.path.splitext(name)[1]
    return FileResponse(
        path,
        media_type=_MEDIA_TYPES.get(suffix, "application/octet-stream"),
        stat_result=stat_result,
        headers={
            "Cache-Control": _CACHE_CONTROL,
            "X-Content-Type-Options": "nosniff",
        },
    )


routes: list[BaseRoute] = [
    Route(
        DEFAULT_ASSETS_PREFIX + "/{name}",
        asset,
        methods=["GET", "HEAD"],
        name="graphiql-asset",
    ),
]
