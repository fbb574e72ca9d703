"""The knobs of the simulated world, in one place, with the reason for each default.

``conf/base.yaml`` only carries the scale knobs (users, days, items, seed, start date); these are
the world's physics. They are recorded in ``world.json`` so every generated dataset says how it
was made. Channel tuples follow ``tailor.events.CHANNELS`` order: email, push, sms, in_app.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class WorldParams:
    """Physics of the simulated world (defaults give ~2-4 events per active user-day)."""

    # --- population and time ------------------------------------------------------------
    existing_share: float = 0.5          # already customers on day 0; the rest join later
    prospect_days: int = 3               # anonymous browsing on the first device before signup
    future_days: int = 14                # horizon of true_future_value (never in landing)

    # --- devices and identity -----------------------------------------------------------
    device_count_probs: tuple[float, ...] = (0.5, 0.35, 0.15)   # P(1, 2, 3 devices)
    primary_device_weight: float = 0.65  # share of sessions on the first device once others exist
    extra_device_delay_days: int = 20    # later devices first show up within this many days
    visitor_device_share: float = 0.25   # extra devices that never log in (~10% of all devices)
    cookie_reset_rate: float = 0.02      # per device-day: cookie cleared -> anonymous again
    login_rate: float = 0.3              # anonymous session logs in by itself; checkout always

    # --- consent ------------------------------------------------------------------------
    consent_rates: tuple[float, ...] = (0.85, 0.6, 0.35, 0.95)
    refuse_all_share: float = 0.03       # refuse every channel at signup and never re-grant
    revoke_rate: float = 0.002           # per granted channel-day (preference centre)
    regrant_rate: float = 0.001          # per refused channel-day

    # --- browsing and buying ------------------------------------------------------------
    activity_median: float = 0.3         # sessions per day (lognormal across users)
    activity_sigma: float = 0.8
    activity_max: float = 4.0
    weekday_factors: tuple[float, ...] = (1.0, 0.95, 0.95, 1.0, 1.1, 1.25, 1.2)  # Mon..Sun
    extra_views_mean: float = 3.0        # views per session = 1 + Poisson(this)
    max_views: int = 60
    cart_logit: tuple[float, float] = (-2.3, 0.5)      # P(add to cart | view), logit-normal
    intent_logit: tuple[float, float] = (-0.9, 0.8)    # P(buy the cart | cart not empty)
    spend_sigma: float = 0.5             # spend level: lognormal, median 1
    extra_quantity_per_spend: float = 0.3  # quantity = 1 + Poisson(this * spend level)
    churn_median: float = 0.006          # daily churn hazard, lognormal across users
    churn_sigma: float = 0.9
    churn_max: float = 0.08
    favourite_share: float = 0.55        # views in the favourite category
    second_share: float = 0.25           # ... in the second category; the rest follow popularity
    hour_spread: float = 3.0             # sd (hours) of session starts around the preferred hour
    off_hour_share: float = 0.25         # sessions at a uniformly random hour

    # --- marketing: the logging policy --------------------------------------------------
    decision_rate: float = 0.3           # P(a known customer is a decision point on a day)
    no_message_share: float = 0.4        # logging policy: P(no_message) when any channel is allowed
    decision_window: tuple[int, int] = (7, 9)   # decisions are taken between these hours

    # --- marketing: responses (hidden-trait driven) -------------------------------------
    affinity_logit: tuple[float, ...] = (-1.5, -2.2, -1.8, -1.1)  # mean open-propensity logits
    affinity_user_sd: float = 0.8        # shared "responsiveness" across channels
    affinity_channel_sd: float = 0.7     # channel-specific part
    hour_fit_width: float = 2.5          # hours: how sharply opens peak at the preferred hour
    hour_fit_floor: float = 0.3          # open multiplier at the worst hour
    open_delay_minutes: tuple[float, ...] = (180.0, 20.0, 30.0, 60.0)
    click_base: float = 0.3              # P(click | open) without an offer
    click_discount_gain: float = 0.4     # + this * sensitivity * discount / 0.2
    convert_base: float = 0.6            # P(convert | click) = intent * (base + gain * ...)
    convert_discount_gain: float = 2.0
    unsubscribe_base: tuple[float, ...] = (0.01, 0.015, 0.03, 0.005)
    fatigue_decay: float = 0.7           # yesterday's message pressure carried into today
    churned_response: float = 0.03       # churned customers barely react to anything
    response_cap_hours: int = 30         # responses land before 06:00 the next day (<= 30)

    def __post_init__(self) -> None:
        # Event-time ordering the consent logic relies on: late responses (< cap) come before
        # the overnight consent window (06:00-06:59), which comes before the decisions.
        if not 1 <= self.max_views < 256:
            raise ValueError("max_views must be in [1, 255] (per-session draw index space)")
        if self.response_cap_hours > 30 or self.decision_window[0] < 7:
            raise ValueError("responses must land before 06:00 and decisions start at 07:00 "
                             "or later (response_cap_hours <= 30, decision_window[0] >= 7)")

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form for ``world.json``."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}
