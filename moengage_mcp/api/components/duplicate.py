"""A campaign as `GET /v5/campaigns/{id}` returns it, turned back into the components a create takes.

GET answers in a "normalized, read-only view": a fixed-time schedule may come back as
`delivery_type: SCHEDULED` with `schedule_time` and `time_zone` instead of the request's
`AT_FIXED_TIME` and `start_time` (CampaignDetailsResponse.scheduling_details). Everything else
GET returns is already in the request shape, so duplicating is: keep the channel's components,
undo that one normalisation, and let the request models judge the rest.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from .reference import COMPONENT_MODELS


def draft_components(campaign: BaseModel | Mapping[str, Any]) -> dict[str, Any]:
    """The components of `campaign` (what `get_campaign` returns, or the raw GET document) in request
    form, for `parse_create`.

    The resolved `time_zone` is dropped: the request schema has no field for it, and the time is
    kept as written, so check the schedule of a duplicate whose source names a zone other than UTC."""
    if isinstance(campaign, BaseModel):  # as parsed: only what the API sent, times back in ISO form
        campaign = campaign.model_dump(mode="json", exclude_unset=True)
    channel = str(campaign.get("channel"))
    components = {
        name: copy.deepcopy(campaign[name])
        for name, models in COMPONENT_MODELS.items()
        if channel in models and isinstance(campaign.get(name), dict)
    }
    if "scheduling_details" in components:
        components["scheduling_details"] = _request_schedule(components["scheduling_details"])
    return components


def _request_schedule(schedule: dict[str, Any]) -> dict[str, Any]:
    resolved_time = schedule.pop("schedule_time", None)
    schedule.pop("time_zone", None)
    if schedule.get("delivery_type") == "SCHEDULED":
        schedule["delivery_type"] = "AT_FIXED_TIME"
    if resolved_time is not None:
        schedule.setdefault("start_time", resolved_time)
    return schedule
