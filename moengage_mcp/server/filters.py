"""Campaign filters, the arguments search, meta and the report share.

They reuse the API's enums, so a tool schema lists exactly the values the API accepts, and build
the V5 search, V1 meta and V5 meta requests, which name the same filters differently.
"""

from __future__ import annotations

import datetime as dt

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field, model_validator

from ..api import models as m
from ..api.enums import META_FILTER_STATUSES, META_STATUSES, Channel, Status
from .args import Args, Day, Email, Text

V5_META_ONLY = (Status.DRAFT, Status.SENDING)
"""Statuses V1 meta has no campaigns in: V5 meta answers for them."""


class MetaFilters(Args):
    """The campaign filters V5 search and both meta endpoints understand."""

    name: Text | None = Field(None, description="Part of the name, any case.")
    channels: list[Channel] | None = None
    statuses: list[Status] | None = Field(
        None, description="Default: all but DRAFT, SENDING, ARCHIVED, RETIRED."
    )
    delivery_types: list[m.MetaDeliveryType] | None = None
    tags: list[Text] | None = Field(None, max_length=20)
    campaign_ids: list[m.CampaignId] | None = Field(None, max_length=100)
    include_child_campaigns: bool = Field(False, description="Periodic runs and flow nodes too.")

    def created_dates(self, iso_times: bool) -> m.CreatedDate | None:
        return None

    @property
    def needs_v5_meta(self) -> bool:
        """Whether the filter asks for statuses only V5 meta has (V1 meta has no drafts)."""
        return any(status in V5_META_ONLY for status in self.statuses or ())

    def meta_request(self, campaign_id: str | None = None, *, any_status: bool = False) -> m.MetaRequest:
        """V1 meta, for one campaign by id (whatever its status V1 knows) or for the filter (with
        `any_status`, over every status an id could have)."""
        statuses = list(dict.fromkeys(self.statuses)) if self.statuses else None
        every = campaign_id or any_status
        return m.MetaRequest(
            campaign_fields=m.MetaFields(
                id=campaign_id,
                channels=self.channels,
                created_date=self.created_dates(iso_times=False),
                delivery_type=self.delivery_types,
                name=self.name,
                status=statuses or list(META_FILTER_STATUSES if every else META_STATUSES),
                tags=self.tags,
            ),
            include_child_campaigns=self.include_child_campaigns or None,
            limit=1 if campaign_id else m.PAGE_SIZE,
        )

    def meta_v5_request(self, campaign_id: str | None = None) -> m.MetaV5Request:
        """V5 meta (drafts too): for one campaign by id whatever its status, or for the filter. It takes
        one delivery type, so several are refused up front."""
        if len(self.delivery_types or ()) > 1:
            raise ToolError(
                "With statuses DRAFT or SENDING give at most one delivery type (V5 meta filters by one)"
            )
        statuses = list(dict.fromkeys(self.statuses)) if self.statuses and not campaign_id else list(Status)
        return m.MetaV5Request(
            campaign_fields=m.MetaV5Fields(
                id=campaign_id,
                channels=self.channels,
                created_date=self.created_dates(iso_times=True),
                delivery_type=(self.delivery_types or [None])[0],
                name=self.name,
                status=statuses,
                tags=self.tags,
            ),
            include_child_campaigns=self.include_child_campaigns or None,
            limit=1 if campaign_id else m.PAGE_SIZE,
        )


class Filters(MetaFilters):
    """Search filters: the meta ones (with V5 search's own value sets) plus creator, creation dates and
    archived campaigns."""

    statuses: list[Status] | None = Field(None, description="Default: all but ARCHIVED.")
    delivery_types: list[m.SearchDeliveryType] | None = None
    created_by: list[Email] | None = Field(None, max_length=20)
    created_from: Day | None = None
    created_to: Day | None = None
    include_archived: bool = False
    version_number: int | None = Field(
        None, ge=1, le=10_000, description="Versioned campaigns: this version only."
    )

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
            version_number=self.version_number,
        )
