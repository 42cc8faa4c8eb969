"""Input and output models of the MCP tools, built from the API models.

Inputs reuse the API's enums and id type, so a tool schema lists exactly the values the API
accepts; outputs are compact projections of API responses (timestamps in UTC, minute precision,
no empty fields), because every token of a result is paid for in the model's context.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema, model_validator

from ..api import models as m
from ..api.enums import META_STATUSES, Channel, PreviewIdentifier, Status

MAX_RESULTS = 500

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[^@\s]+@[^@\s]+$", max_length=254),
    WithJsonSchema({"type": "string", "format": "email"}),
]


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Page(Args):
    max_results: int = Field(15, ge=1, le=MAX_RESULTS)
    offset: int = Field(0, ge=0, le=100_000, description="Rows to skip; pass next_offset to continue.")


class MetaFilters(Args):
    """The campaign filters both V5 search and V1 meta understand."""

    name: Text | None = Field(None, description="Part of the name, any case.")
    channels: list[Channel] | None = None
    statuses: list[m.MetaStatus] | None = Field(None, description="Default: all but ARCHIVED and RETIRED.")
    delivery_types: list[m.MetaDeliveryType] | None = None
    tags: list[Text] | None = Field(None, max_length=20)
    campaign_ids: list[m.CampaignId] | None = Field(None, max_length=100)
    include_child_campaigns: bool = Field(False, description="Periodic runs and flow nodes too.")

    def created_dates(self, iso_times: bool) -> m.CreatedDate | None:
        return None

    def meta_request(self, campaign_id: str | None = None) -> m.MetaRequest:
        return m.MetaRequest(
            campaign_fields=self.meta_fields(campaign_id),
            include_child_campaigns=self.include_child_campaigns or None,
            limit=1 if campaign_id else m.PAGE_SIZE,
        )

    def meta_statuses(self, by_id: bool) -> list[Status]:
        """Given statuses; else, for a filter, those V1 meta documents; for one campaign by id, every
        status (it is wanted whatever its status, and drafts come back only when asked for)."""
        if self.statuses:
            return list(dict.fromkeys(self.statuses))
        return list(Status) if by_id else list(META_STATUSES)

    def meta_fields(self, campaign_id: str | None = None) -> m.MetaFields:
        return m.MetaFields(
            id=campaign_id,
            channels=self.channels,
            created_date=self.created_dates(iso_times=False),
            delivery_type=self.delivery_types,
            name=self.name,
            status=self.meta_statuses(by_id=campaign_id is not None),
            tags=self.tags,
        )


class Filters(MetaFilters):
    """Search filters: the meta ones plus creator, creation dates and archived campaigns."""

    statuses: list[Status] | None = Field(None, description="Default: all but ARCHIVED.")
    delivery_types: list[m.SearchDeliveryType] | None = None
    created_by: list[Email] | None = Field(None, max_length=20)
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    include_archived: bool = False

    @model_validator(mode="after")
    def _dates_in_order(self) -> Filters:
        if self.created_from and self.created_to and self.created_from > self.created_to:
            raise ValueError("created_from must not be after created_to")
        return self

    def created_dates(self, iso_times: bool) -> m.CreatedDate | None:
        """The creation window, whole days inclusive (V5 takes ISO times, V1 plain dates)."""
        if not (self.created_from or self.created_to):
            return None
        first, last = self.created_from or dt.date(2000, 1, 1), self.created_to or dt.date(2100, 1, 1)
        if iso_times:
            return m.CreatedDate(from_date=f"{first}T00:00:00", to_date=f"{last}T23:59:59")
        return m.CreatedDate(from_date=str(first), to_date=str(last))

    def wanted_statuses(self, include_archived: bool = False) -> list[Status]:
        """The API returns drafts only when asked for, and archived only with a flag: ask explicitly."""
        if self.statuses:
            return list(dict.fromkeys(self.statuses))
        return [s for s in Status if s is not Status.ARCHIVED or include_archived]

    def archived_wanted(self) -> bool:
        """Asked for by flag, by status, or implied by ids (a campaign asked for by id is wanted whatever its status)."""
        return self.include_archived or Status.ARCHIVED in (self.statuses or ()) or bool(self.campaign_ids)

    def search_request(self) -> m.SearchRequest:
        return m.SearchRequest(
            campaign_fields=self.search_fields(),
            include_child_campaigns=self.include_child_campaigns or None,
            include_archive_campaigns=self.archived_wanted() or None,
        )

    def search_fields(self) -> m.SearchFields:
        return m.SearchFields(
            ids=self.campaign_ids,
            channels=self.channels,
            created_by=self.created_by,
            created_date=self.created_dates(iso_times=True),
            campaign_delivery_type=self.delivery_types,
            name=self.name,
            status=self.wanted_statuses(self.archived_wanted()),
            tags=self.tags,
        )


class SearchArgs(Filters, Page):
    pass


class MetaArgs(MetaFilters, Page):
    pass


class CampaignArg(Args):
    campaign_id: m.CampaignId


class GetCampaignArgs(CampaignArg):
    full: bool = Field(False, description="Return long fields (email HTML) whole.")


class ExecutionsArgs(CampaignArg, Page):
    pass


class PreviewArgs(Args):
    user_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)] = Field(
        description="The user to render for."
    )
    user_id_type: PreviewIdentifier = PreviewIdentifier.USER_ATTRIBUTE_UNIQUE_ID
    campaign_id: m.CampaignId | None = Field(None, description="Render this campaign's saved content...")
    campaign_content: dict[str, Any] | None = Field(None, description="...or this inline campaign_content.")
    channel: Literal[Channel.PUSH, Channel.EMAIL, Channel.SMS] | None = Field(
        None, description="Needed with campaign_content."
    )
    event_attributes: dict[str, str] | None = None
    full: bool = Field(False, description="Return long fields whole.")

    @model_validator(mode="after")
    def _one_source(self) -> PreviewArgs:
        if (self.campaign_id is None) == (self.campaign_content is None):
            raise ValueError("give campaign_id or campaign_content (exactly one)")
        if self.campaign_content is not None and self.channel is None:
            raise ValueError("inline campaign_content needs channel")
        return self


# --------------------------------------------------------------------------- outputs


def minute(value: Any) -> str | None:
    """'YYYY-MM-DD HH:MM' (UTC) for a timestamp, the text itself otherwise."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value or None


def text(value: Any) -> str | None:
    """An enum's value, or the text the API sent."""
    return None if value is None else str(getattr(value, "value", value))


class CampaignRow(BaseModel):
    id: str
    campaign_id: str | None = Field(None, description="Stable id across versions, when it differs from id.")
    version: int | None = None
    name: str | None = None
    channel: str | None = None
    delivery_type: str | None = None
    status: str | None = None
    start: str | None = None
    created: str | None = None
    updated: str | None = None
    tags: list[str] | None = None
    team: str | None = None
    parent_id: str | None = None
    flow_id: str | None = None

    @classmethod
    def of(cls, c: m.Campaign) -> CampaignRow:
        return cls(
            id=c.id,
            campaign_id=c.campaign_id if c.campaign_id and c.campaign_id != c.id else None,
            version=c.version_number,
            name=c.name,
            channel=text(c.channel),
            delivery_type=text(c.campaign_delivery_type),
            status=text(c.status),
            start=minute(c.start_time),
            created=minute(c.created_at),
            updated=minute(c.updated_at),
            tags=c.basic_details.tags or None,
            team=c.basic_details.team,
            parent_id=c.parent_id,
            flow_id=c.flow_id,
        )


class Continuation(BaseModel):
    more: bool
    next_offset: int | None = None


class SearchResult(Continuation):
    campaigns: list[CampaignRow]


class ShortenedField(BaseModel):
    path: str
    chars: int


class CampaignDetail(BaseModel):
    campaign: dict[str, Any]
    shortened: list[ShortenedField] | None = Field(None, description="Fields cut short; full=true returns them whole.")


class ExecutionRow(BaseModel):
    campaign_id: str
    sent: str | None = None
    status: str | None = None


class ExecutionsResult(Continuation):
    total_instances: int | None = None
    executions: list[ExecutionRow]


class Reach(BaseModel):
    count: int | None = None
    updated: str | None = None


class MetaRowOut(BaseModel):
    id: str
    name: str | None = None
    channel: str | None = None
    platforms: list[str] | None = None
    delivery_type: str | None = None
    status: str | None = None
    start: str | None = None
    team: str | None = None
    tags: list[str] | None = None
    reachability: Reach | None = None
    parent_id: str | None = None
    children: int | None = None

    @classmethod
    def of(cls, r: m.MetaRow) -> MetaRowOut:
        reach = r.reachability_details
        return cls(
            id=r.campaign_id,
            name=r.campaign_name,
            channel=text(r.channel),
            platforms=[text(p) for p in r.platform] or None,
            delivery_type=text(r.campaign_delivery_type),
            status=text(r.campaign_status),
            start=minute(r.campaign_start_time),
            team=r.campaign_team,
            tags=r.campaign_tags or None,
            reachability=Reach(count=reach.count, updated=minute(reach.last_updated_time)) if reach else None,
            parent_id=r.parent_campaign_id,
            children=r.total_child_campaigns,
        )


class MetaResult(Continuation):
    campaigns: list[MetaRowOut]
    not_found: list[str] | None = None


class RenderedBlock(BaseModel):
    locale: str
    variation: str
    platform: str | None = None
    fields: dict[str, str]


class PreviewOut(BaseModel):
    channel: str
    user_id: str
    blocks: list[RenderedBlock]
    unresolved: list[str] | None = Field(None, description="Fields empty or still holding {{...}} after rendering.")
    shortened: list[ShortenedField] | None = None


class ValidationOut(BaseModel):
    campaign_id: str
    valid: bool
    errors: list[m.ValidationIssue] | None = None
