"""A workspace of any size, for measuring the server on large workspaces (issue 16): `scaled_workspace`.

The demo workspace is hand-written and stays as it is; this one is generated. `n` top-level
campaigns in the mix a retailer's workspace has (`MIX`, per mille, allocated exactly so the shares
hold for small `n` too): one-time campaigns sent, scheduled over the next two weeks, drafts,
stopped, archived and sending; event-triggered ones; and 10% periodic or business-event parents with
20-200 runs each, some with failed runs, some with a run stuck in sending. Channels are PUSH, EMAIL
and SMS. Everything follows from `n` and `now` alone (a random generator seeded by `n`; dates
relative to `now`), so two builds of one size are the same workspace, and 5,000 campaigns build in
about a second: children share their parent's components (`_Workspace.share_components`).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from . import seed_content as sc
from .seed import PUSH_BOTH, SEGMENTS, Demo, _Workspace, demo_users

MIX: tuple[tuple[str, str, int], ...] = (
    ("ONE_TIME", "SENT", 360),
    ("ONE_TIME", "SCHEDULED", 80),
    ("ONE_TIME", "DRAFT", 100),
    ("ONE_TIME", "STOPPED", 40),
    ("ONE_TIME", "ARCHIVED", 60),
    ("ONE_TIME", "ACTIVE", 10),
    ("ONE_TIME", "SENDING", 10),
    ("EVENT_TRIGGERED", "ACTIVE", 170),
    ("EVENT_TRIGGERED", "PAUSED", 30),
    ("EVENT_TRIGGERED", "DRAFT", 20),
    ("EVENT_TRIGGERED", "STOPPED", 20),
    ("PERIODIC", "ACTIVE", 50),
    ("PERIODIC", "PAUSED", 10),
    ("PERIODIC", "STOPPED", 10),
    ("BUSINESS_EVENT_TRIGGERED", "ACTIVE", 25),
    ("BUSINESS_EVENT_TRIGGERED", "PAUSED", 5),
)
"""(delivery type, status, campaigns per thousand); the parents (periodic, business-event) are 100."""
CHANNELS = (("PUSH", 50), ("EMAIL", 35), ("SMS", 15))
RUNS = (20, 200)
"""Runs of each parent, uniformly between these."""
FAILING = 0.3
"""Share of parents with failed runs (each past run of theirs fails with probability 0.04, one at least)."""
STUCK = 0.1
"""Share of active parents whose newest run has been sending for a day (a stuck run)."""

_THEMES = (
    "Summer Sale",
    "Flash Deal",
    "New Arrivals",
    "Loyalty Bonus",
    "Cart Reminder",
    "Weekly Digest",
    "Price Drop",
    "Back in Stock",
    "Member Exclusive",
    "Clearance",
    "Holiday Gifts",
    "Weekend Picks",
    "Style Tips",
    "Free Shipping",
)
_AISLES = ("Shoes", "Electronics", "Home", "Sportswear", "Apparel", "Accessories", "Beauty", "Kids")
_TEAMS = ("Growth", "Retention", "Merchandising", "Lifecycle")
_EVENTS = ("Added To Cart", "Viewed Product", "User Signed Up", "Added To Wishlist")
_BUSINESS_EVENTS = ("catalog_price_drop", "catalog_restock")


def scaled_workspace(n: int, now: datetime) -> Demo:
    """`n` top-level campaigns (children of the parents' runs come on top) in the `MIX`, relative to `now`."""
    rng = random.Random(f"moengage-mcp-scaled:{n}")
    ws = _Workspace(now, share_components=True)
    for index, (dtype, status) in enumerate(_kinds(n, rng)):
        _campaign(ws, rng, index, dtype, status)
    return Demo(ws.campaigns, ws.executions, demo_users())


def _kinds(n: int, rng: random.Random) -> list[tuple[str, str]]:
    """Exactly round(share x n) campaigns of each kind (largest remainders), in a shuffled order."""
    exact = [(dtype, status, n * weight / 1000) for dtype, status, weight in MIX]
    counts = [int(share) for _, _, share in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (counts[i] - exact[i][2], i))
    for i in by_remainder[: n - sum(counts)]:
        counts[i] += 1
    kinds = [
        (dtype, status) for (dtype, status, _), count in zip(exact, counts, strict=True) for _ in range(count)
    ]
    rng.shuffle(kinds)
    return kinds


def _campaign(ws: _Workspace, rng: random.Random, index: int, dtype: str, status: str) -> None:
    channel = rng.choices([c for c, _ in CHANNELS], weights=[w for _, w in CHANNELS])[0]
    theme, aisle = rng.choice(_THEMES), rng.choice(_AISLES)
    name = f"{theme}: {aisle} #{index + 1}"
    slug = f"scaled/{index}"
    common: dict[str, Any] = {
        "content": _content(channel, name, theme, aisle, slug),
        "team": rng.choice(_TEAMS),
        "tags": [theme.lower().replace(" ", "-"), aisle.lower()],
        "creator": rng.randrange(5),
        "segment_id": rng.choice(list(SEGMENTS)),
    }
    if dtype in ("PERIODIC", "BUSINESS_EVENT_TRIGGERED"):
        _parent(ws, rng, slug, name, channel, dtype, status, common)
    elif dtype == "EVENT_TRIGGERED":
        created = rng.uniform(2, 365)
        ws.add(
            slug,
            name,
            channel,
            dtype,
            status,
            created,
            start=ws.at(-created + 1, 0),
            expiry=ws.at(365, 0),
            trigger=sc.action_trigger(rng.choice(_EVENTS), delay_hours=rng.choice((None, 2, 24))),
            updated_days=rng.uniform(0, created - 1) if status in ("PAUSED", "STOPPED") else None,
            **common,
        )
    else:
        _one_time(ws, rng, slug, name, channel, status, common)


def _one_time(
    ws: _Workspace,
    rng: random.Random,
    slug: str,
    name: str,
    channel: str,
    status: str,
    common: dict[str, Any],
) -> None:
    if status in ("SCHEDULED", "DRAFT"):
        created = rng.uniform(0.1, 40)
        start = ws.at(rng.uniform(0.1, 14 if status == "SCHEDULED" else 30)).replace(
            minute=0, second=0, microsecond=0
        ) + timedelta(hours=1)
        sent = None
    else:
        days = {"ARCHIVED": rng.uniform(100, 365), "ACTIVE": 0.05, "SENDING": 0.02}.get(
            status, rng.uniform(0.5, 300)
        )
        created = days + rng.uniform(1, 10)
        start = ws.at(-days)
        sent = None if status == "STOPPED" else start + timedelta(seconds=rng.randrange(10, 90))
    ws.add(slug, name, channel, "ONE_TIME", status, created, start=start, sent=sent, **common)


def _parent(
    ws: _Workspace,
    rng: random.Random,
    slug: str,
    name: str,
    channel: str,
    dtype: str,
    status: str,
    common: dict[str, Any],
) -> None:
    """A periodic (daily or weekly) or business-event parent and its runs, the newest a day or more
    back unless it is active (then one run is scheduled next)."""
    count = rng.randint(*RUNS)
    active = status == "ACTIVE"
    newest = ws.now - timedelta(days=rng.uniform(0.1, 0.9) if active else rng.uniform(5, 60))
    if dtype == "PERIODIC":
        step = rng.choice((1, 1, 1, 7))
        times = [newest - timedelta(days=step * back) for back in range(count - 1 if active else count)][::-1]
        if active:
            times.append(newest + timedelta(days=step))
        extra: dict[str, Any] = {
            "periodic": {"sending_frequency": "DAILY" if step == 1 else "WEEKLY", "repeat_frequency": 1}
        }
    else:
        times = [newest]
        while len(times) < count:
            times.append(times[-1] - timedelta(days=rng.uniform(0.3, 2.5)))
        times.reverse()
        extra = {"basic": {"business_event": rng.choice(_BUSINESS_EVENTS)}, "expiry": ws.at(365, 0)}
    first = times[0]
    parent = ws.add(
        slug,
        name,
        channel,
        dtype,
        status,
        (ws.now - first).total_seconds() / 86_400 + rng.uniform(1, 5),
        start=first,
        updated_days=None if active else rng.uniform(0, 4),
        **extra,
        **common,
    )
    past = [i for i, moment in enumerate(times) if moment <= ws.now]
    odd: dict[int, str] = {}
    if rng.random() < FAILING:
        odd = {i: "FAILED" for i in past if rng.random() < 0.04} or {rng.choice(past): "FAILED"}
    if active and rng.random() < STUCK:
        times[past[-1]] = ws.now - timedelta(days=1)
        odd[past[-1]] = "SENDING"
    ws.runs(parent, times, odd)


def _content(channel: str, name: str, theme: str, aisle: str, slug: str) -> dict[str, Any]:
    url = f"{sc.SITE}/{aisle.lower()}?utm_source=moengage&utm_medium={channel.lower()}"
    if channel == "PUSH":
        title = f"{theme}, {{{{UserAttribute['First Name']|default('friend')}}}}"
        return sc.push_content(PUSH_BOTH, title, f"{aisle} picked for you. Tap to see them.", url)
    if channel == "EMAIL":
        html = sc.simple_html(name, [f"This week in {aisle}: {theme.lower()}."], "Shop now", url)
        return sc.email_content(f"{theme}: {aisle}", f"Inside: {aisle.lower()} we think you'll like", html)
    return sc.sms_content(
        f"Brightcart: {theme} on {aisle.lower()}! brightcart.example/{slug} Reply STOP to opt out"
    )
