"""``GET /documents/<global id>``: a rendered document's file (``Document.url``).

Authenticated like ``/graphql`` (the same ``user_for``: bearer token, or the demo admin on
loopback in demo mode): 401 without a valid token. A document follows its quote's
visibility: missing, malformed or hidden answers 404 alike. The file comes with its content
type and a Content-Disposition file name; ``nosniff`` and a sandboxing CSP keep an HTML
document from running anything if a browser opens it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from crm_graphql.api.relay import MalformedId, from_global_id, global_id_of
from crm_graphql.api.view import unauthenticated
from crm_graphql.services import documents

UserFor = Callable[[str | None, str | None], Awaitable[Any]]
PREFIX = "/documents/"


def path_of(document: Any) -> str:
    """The download path of a document (what ``Document.url`` points at)."""
    return PREFIX + quote(global_id_of(document), safe="")


def _not_found() -> JSONResponse:
    return JSONResponse({"errors": [{"message": "No such document.", "extensions": {"code": "NOT_FOUND"}}]}, 404)


def _disposition(file_name: str) -> str:
    ascii_name = file_name.encode("ascii", "replace").decode("ascii").replace('"', "'").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def route(user_for: UserFor) -> Route:
    """The download route, authenticating with ``user_for(authorization, client_host)``."""

    async def download(request: Request) -> Response:
        authorization = request.headers.get("authorization")
        user = await user_for(authorization, request.client.host if request.client else None)
        if user is None:
            return unauthenticated(
                "Invalid or revoked API token."
                if authorization
                else "Send an API token: Authorization: Bearer <token>."
            )
        try:
            type_name, pk = from_global_id(request.path_params["document_id"])
        except MalformedId:
            return _not_found()
        found = await documents.download(user, pk) if type_name == "Document" else None
        if found is None:
            return _not_found()
        document, data = found
        media_type = document.content_type + ("; charset=utf-8" if document.content is not None else "")
        return Response(
            data,
            media_type=media_type,
            headers={
                "Content-Disposition": _disposition(documents.file_name(document)),
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "sandbox; default-src 'none'",
                "Cache-Control": "private, no-store",
            },
        )

    return Route(PREFIX + "{document_id:path}", download, methods=["GET"])
