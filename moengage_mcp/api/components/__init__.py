"""Typed V5 campaign components and the authoring requests built from them.

Use `parse_create` / `parse_update` on an agent's JSON, then `MoEngageClient.create_campaign` /
`update_campaign`; an `InvalidRequest` lists lines like
`campaign_content.content.push.android.template_type: 'CUSTOM' is not allowed; allowed: ...`.
`reference(component)` is the JSON schema document of a component, per channel.
"""

from .base import Component
from .duplicate import draft_components
from .parse import InvalidRequest, parse_component, parse_create, parse_update
from .reference import CHANNELS, COMPONENT_MODELS, component_schema, model_for, reference
from .requests import (
    COMPONENT_NAMES,
    CreateRequest,
    DraftCreated,
    EmailCreateRequest,
    EmailUpdateRequest,
    PushCreateRequest,
    PushUpdateRequest,
    UpdateRequest,
)

__all__ = [
    "CHANNELS",
    "COMPONENT_MODELS",
    "COMPONENT_NAMES",
    "Component",
    "CreateRequest",
    "DraftCreated",
    "EmailCreateRequest",
    "EmailUpdateRequest",
    "InvalidRequest",
    "PushCreateRequest",
    "PushUpdateRequest",
    "UpdateRequest",
    "component_schema",
    "draft_components",
    "model_for",
    "parse_component",
    "parse_create",
    "parse_update",
    "reference",
]
