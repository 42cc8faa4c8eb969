"""MCP Apps (the `io.modelcontextprotocol/ui` extension): views the host renders next to a tool result.

`preview` is the campaign preview app (`ui://moengage/preview`) of `get_campaign` and
`personalized_preview`: the resource to register and the view model to put in results.
"""

from .preview import (
    META_KEY,
    PREVIEW_CSP,
    PREVIEW_DESCRIPTION,
    PREVIEW_MIME_TYPE,
    PREVIEW_NAME,
    PREVIEW_URI,
    PreviewView,
    campaign_view,
    personalized_view,
    preview_html,
    preview_meta,
)

__all__ = [
    "META_KEY",
    "PREVIEW_CSP",
    "PREVIEW_DESCRIPTION",
    "PREVIEW_MIME_TYPE",
    "PREVIEW_NAME",
    "PREVIEW_URI",
    "PreviewView",
    "campaign_view",
    "personalized_view",
    "preview_html",
    "preview_meta",
]
