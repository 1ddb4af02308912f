"""Logging for ``crm-graphql serve``: uvicorn's own configuration plus our loggers.

- ``crm_graphql.requests``: one JSON line per request on standard error, nothing else on
  the line (``request.ObserveRequests`` writes it); uvicorn's access log is off, it would
  repeat the request and print GET query strings (documents and variables).
- ``crm_graphql`` (masked errors with their ``request_id``, APQ store warnings, tracing
  set-up): uvicorn's default format on standard error.
"""

from __future__ import annotations

import copy
from typing import Any


def uvicorn_log_config() -> dict[str, Any]:
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["line"] = {"format": "%(message)s"}
    config["handlers"]["requests"] = {
        "class": "logging.StreamHandler",
        "formatter": "line",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["crm_graphql"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    config["loggers"]["crm_graphql.requests"] = {"handlers": ["requests"], "level": "INFO", "propagate": False}
    return config
