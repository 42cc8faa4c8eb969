"""What every write tool shares: its confirmation argument, its result, and the read-back that
reports the status a write actually reached."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from ...api import MoEngageClient, MoEngageError
from ..args import Args, CampaignArg
from ..core.text import text
from .preflight import Preflight

CONFIRMATION = (
    " Asks the user to confirm. If the result has status confirmation_required, show its summary to the user "
    "and call again with the same arguments plus confirmation_token only after they agree."
)
"""The end of every write tool's description."""

Token = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class WriteArgs(Args):
    """A write tool's arguments. Listed first among a model's bases, it puts the token last in the schema."""

    confirmation_token: Token | None = Field(None, description="From a confirmation_required result.")


class CampaignWriteArgs(WriteArgs, CampaignArg):
    pass


class TestSendOut(BaseModel):
    __test__ = False  # not a pytest test class

    status: str
    failure_reason: str | None = None


class WriteResult(BaseModel):
    status: Literal["done", "accepted", "partial", "failed", "confirmation_required", "declined", "cancelled"]
    summary: str | None = None
    confirmation_token: str | None = None
    expires_at: str | None = None
    campaign_id: str | None = None
    status_before: str | None = None
    status_after: str | None = None
    request_id: str | None = None
    sends: dict[str, TestSendOut] | None = None
    note: str | None = None


async def read_back(api: MoEngageClient, pre: Preflight, request_id: str, verb: str) -> WriteResult:
    """The campaign's status after an accepted write: `done` when it reads as expected, else `accepted`."""
    assert pre.campaign is not None
    try:
        after = (await api.get_campaign(pre.campaign.id)).status
    except MoEngageError as exc:  # the write was accepted: a failed read-back must not report it as failed
        return WriteResult(
            status="accepted",
            campaign_id=pre.campaign.id,
            status_before=text(pre.campaign.status),
            request_id=request_id,
            note=f"MoEngage accepted the {verb}, but reading the campaign back failed ({exc}); "
            "check its status with get_campaign before doing anything else.",
        )
    reached = after == pre.expected
    return WriteResult(
        status="done" if reached else "accepted",
        campaign_id=pre.campaign.id,
        status_before=text(pre.campaign.status),
        status_after=text(after),
        request_id=request_id,
        note=None
        if reached
        else f"MoEngage accepted the {verb} but the campaign reads {text(after)}, not {text(pre.expected)}; "
        "check again shortly with get_campaign.",
    )
