"""Timeline events stored before references: ``upgrade`` gives an event's data today's shape
(bare ids written by older versions become references, ``timeline.reference``).

Its own module because it reads crud's field rules, and crud records events through
``timeline``: kept here, neither imports the other back.
"""

from __future__ import annotations

from typing import Any

from crm_graphql.services import crud
from crm_graphql.services.timeline import reference

#: Keys that held a bare id of a record of this type.
_LEGACY_KEYS = {"lead": "Lead", "account": "Account", "contact": "Contact", "opportunity": "Opportunity"}


def _legacy(type_name: str, value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return reference(type_name, value)
    return value


def _ref_fields(subject_type: str) -> dict[str, str]:
    """API field name -> referenced type, for the ``changes`` of a plain update."""
    spec = crud.REGISTRY.get(subject_type)
    if spec is None:
        return {}
    return {r.api_name: r.target.__name__ for r in spec.rules if r.kind is crud.K.REF and r.target is not None}


def upgrade(kind: str, subject_type: str, data: dict[str, Any] | None) -> dict[str, Any]:
    """Data of an event in today's shape: bare ids written by older versions become references."""
    data = dict(data or {})
    for key, type_name in _LEGACY_KEYS.items():
        if key in data:
            data[key] = _legacy(type_name, data[key])
    if "activityId" in data:
        facts = {k: data.pop(k) for k in ("type", "subject") if k in data}
        activity = _legacy("Activity", data.pop("activityId"))
        data["activity"] = activity | facts if isinstance(activity, dict) else activity
    if "documentId" in data:
        data["document"] = _legacy("Document", data.pop("documentId"))
    if "stageId" in data:
        data["stage"] = _legacy("Stage", data.pop("stageId"))
        if kind == "STAGE_CHANGED" and "from" in data:
            data["from"] = _legacy("Stage", data["from"])
    if "withId" in data and isinstance(data.get("with"), str):
        data["with"] = _legacy(data["with"], data.pop("withId"))
    raw_changes = data.get("changes")
    if isinstance(raw_changes, dict):
        fields = _ref_fields(subject_type) | {"accessUserIds": "User"}
        data["changes"] = {
            name: {side: _legacy_change(fields.get(name), value) for side, value in change.items()}
            if isinstance(change, dict)
            else change
            for name, change in raw_changes.items()
        }
    return data


def _legacy_change(type_name: str | None, value: Any) -> Any:
    if type_name is None:
        return value
    if isinstance(value, list):
        return [_legacy(type_name, v) for v in value]
    return _legacy(type_name, value)
