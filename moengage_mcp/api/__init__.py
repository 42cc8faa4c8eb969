"""The MoEngage Campaigns API: models, errors and the async client."""

from .client import DATA_CENTERS, MoEngageClient, Reply, RetryPolicy, base_url_for
from .errors import (
    ApiDisabledError,
    AuthenticationError,
    ConflictError,
    CreationLimitError,
    InvalidRequestError,
    MalformedResponseError,
    MoEngageError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    RateLimitedError,
    RetryableError,
    ServerError,
    TransportError,
)
from .paging import Collected, collect, pages_of

__all__ = [
    "DATA_CENTERS",
    "ApiDisabledError",
    "AuthenticationError",
    "Collected",
    "ConflictError",
    "CreationLimitError",
    "InvalidRequestError",
    "MalformedResponseError",
    "MoEngageClient",
    "MoEngageError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "RateLimitedError",
    "Reply",
    "RetryPolicy",
    "RetryableError",
    "ServerError",
    "TransportError",
    "base_url_for",
    "collect",
    "pages_of",
]
