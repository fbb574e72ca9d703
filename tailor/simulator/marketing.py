"""Marketing: the action bank, the randomised logging policy, and how customers respond.

Every day a share of known customers is a decision point. The *logging policy* picks one
action among those their consent allows ("no_message", or channel x send hour x offer) at
random with known probabilities, and logs that exact probability as the propensity, which is
what makes off-policy evaluation of a better policy possible. Responses (open, click,
conversion, unsubscribe) are driven by hidden traits: channel affinity, how close the send hour
is to the preferred hour, discount sensitivity, purchase intent and whether the customer has
quietly churned. Conversions are extra orders on top of organic shopping, so messages have a
real, heterogeneous causal effect that a good policy can exploit.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from tailor.events import CHANNELS
from tailor.simulator.behaviour import Behaviour
from tailor.simulator.columns import EventBatch
from tailor.simulator.consent import Consent
from tailor.simulator.params import WorldParams
from tailor.simulator.streams import Streams, choose_from_cumulative

if TYPE_CHECKING:
    from tailor.simulator.decisions import DecisionPlan

NO_MESSAGE = "no_message"
_DAY = 86400


@dataclass(frozen=True)
class ActionBank:
    """All actions; index 0 is ``no_message``. Channel indices follow ``tailor.events.CHANNELS``."""

    action_ids: tuple[str, ...]
    channel: np.ndarray        # -1 for no_message
    send_hour: np.ndarray      # -1 for no_message
    discount: np.ndarray       # 0 for no_message

    @classmethod
    def from_config(cls, actions: dict[str, Any]) -> "ActionBank":
        """Build from the ``conf/actions.yaml`` mapping (channels, send_hours, offers)."""
        ids, channel, hour, discount = [NO_MESSAGE], [-1], [-1], [0.0]
        for name in actions["channels"]:
            if name not in CHANNELS:
                raise ValueError(f"action bank channel {name!r} is not one of {CHANNELS}")
            for send_hour in actions["send_hours"]:
                for offer, share in actions["offers"].items():
                    ids.append(f"{name}@{int(send_hour)}:{offer}")
                    channel.append(CHANNELS.index(name))
                    hour.append(int(send_hour))
                    discount.append(float(share))
        return cls(tuple(ids), np.array(channel), np.array(hour), np.array(discount))

    def __len__(self) -> int:
        return len(self.action_ids)


class LoggingPolicy:
    """Uniform exploration: ``no_message`` with a fixed share, the rest uniform over the
    message actions the customer's consent allows (``no_message`` only, with probability 1,
    when no channel is allowed)."""

    def __init__(self, bank: ActionBank, no_message_share: float) -> None:
        if not 0.0 < no_message_share < 1.0:
            raise ValueError("no_message_share must be in (0, 1)")
        self.bank = bank
        self.no_message_share = no_message_share

    def allowed(self, consent: np.ndarray) -> np.ndarray:
        """(n, actions) mask of actions allowed by per-channel consent (n, 4)."""
        consent = np.atleast_2d(np.asarray(consent, dtype=bool))
        is_message = self.bank.channel >= 0
        by_channel = consent[:, np.maximum(self.bank.channel, 0)]
        return np.where(is_message[None, :], by_channel, True)

    def probabilities(self, consent: np.ndarray) -> np.ndarray:
        """(n, actions) probability of each action; rows sum to 1."""
        allowed = self.allowed(consent)
        n_messages = allowed[:, 1:].sum(axis=1)
        any_message = n_messages > 0
        probs = np.zeros(allowed.shape)
        probs[:, 1:] = np.where(allowed[:, 1:] & any_message[:, None],
                                (1.0 - self.no_message_share) / np.maximum(n_messages, 1)[:, None],
                                0.0)
        probs[:, 0] = np.where(any_message, self.no_message_share, 1.0)
        return probs


def hour_fit(send_hour: np.ndarray, preferred_hour: np.ndarray, width: float) -> np.ndarray:
    """1 at the preferred hour, falling off as a Gaussian of the circular hour distance."""
    gap = np.abs(send_hour - preferred_hour)
    gap = np.minimum(gap, 24.0 - gap)
    return np.exp(-0.5 * (gap / width) ** 2)


@dataclass(frozen=True)
class Delay:
    """A response delay in seconds: ``floor + floor(Exponential(mean))``."""

    floor: int
    mean: float


# Timing of a message's responses (seconds). The send lands at a uniformly random second of the
# first SEND_JITTER seconds of its hour; an open follows the send by 1 s + an exponential whose
# mean is the channel's ``open_delay_minutes``; each later step follows the previous one. The
# unsubscribe follows the open when there is one (an open that lands), else the send. A response
# happens only if it lands before the response cap (``response_cap_hours`` after midnight).
SEND_JITTER = 900
OPEN_DELAY_FLOOR = 1
CLICK_DELAY = Delay(5, 60.0)
CONVERT_DELAY = Delay(60, 1200.0)
UNSUBSCRIBE_DELAY = Delay(10, 300.0)
MAX_CLICK, MAX_CONVERT = 0.95, 0.95
OFFER_REFERENCE = 0.2      # a discount of this share exerts the customer's full sensitivity


@dataclass(frozen=True)
class ResponseOdds:
    """Probabilities of each response *before* the response cap (the timing is separate):
    ``open`` = P(open), ``click`` = P(click | open), ``convert`` = P(convert | click) and
    ``unsubscribe`` = P(unsubscribe) (the simulator compares a uniform draw with it, so values
    above 1 act as 1)."""

    open: np.ndarray
    click: np.ndarray
    convert: np.ndarray
    unsubscribe: np.ndarray


def response_odds(params: WorldParams, channel: np.ndarray, send_hour: np.ndarray,
                  discount: np.ndarray, affinity: np.ndarray, preferred_hour: np.ndarray,
                  discount_sensitivity: np.ndarray, purchase_intent: np.ndarray,
                  alive: np.ndarray, fatigue: np.ndarray) -> ResponseOdds:
    """The response model of one message, from the recipient's hidden traits and state
    (broadcasting arrays; ``affinity`` is the recipient's affinity for ``channel``, ``alive``
    whether they have not churned, ``fatigue`` their message pressure). The single source of
    these formulas: the simulator draws from it, the ground-truth oracle takes expectations."""
    p = params
    fit = hour_fit(send_hour, preferred_hour, p.hour_fit_width)
    alive_factor = np.where(alive, 1.0, p.churned_response)
    p_open = affinity * (p.hour_fit_floor + (1 - p.hour_fit_floor) * fit) * alive_factor
    pull = discount_sensitivity * discount / OFFER_REFERENCE
    p_click = np.minimum(MAX_CLICK, p.click_base + p.click_discount_gain * pull)
    p_convert = np.minimum(MAX_CONVERT, purchase_intent
                           * (p.convert_base + p.convert_discount_gain * pull))
    p_unsub = np.asarray(p.unsubscribe_base)[channel] * (1.0 + 0.5 * fatigue) * (2.0 - fit)
    return ResponseOdds(p_open, p_click, p_convert, p_unsub)


def order_value(unit_price: np.ndarray, quantity: np.ndarray, discount: np.ndarray) -> np.ndarray:
    """A conversion's order value (its ``price`` field): units x unit price, less the offer,
    rounded to cents."""
    return np.round(unit_price * quantity * (1.0 - discount), 2)


@dataclass
class Marketing:
    """Decision points, sends and responses for one chunk of users."""

    streams: Streams
    params: WorldParams
    policy: LoggingPolicy
    behaviour: Behaviour

    def __post_init__(self) -> None:
        hours = self.policy.bank.send_hour[self.policy.bank.send_hour >= 0]
        if hours.size and hours.min() < self.params.decision_window[0]:
            raise ValueError(f"send hours must not precede the morning decisions "
                             f"({self.params.decision_window[0]}:00); got {sorted(set(hours))}")
        self.fatigue = np.zeros(self.behaviour.traits.user.shape[0])

    def day(self, day: int, consent: Consent, plan: DecisionPlan | None = None) -> EventBatch:
        """Decide for today's decision points, send, and simulate the responses. With a
        ``plan`` (closed loop, ``tailor.simulator.decisions``) that has rows for ``day``, its
        decisions replace the logging policy's picks (consent still applies)."""
        s, p, tr = self.streams, self.params, self.behaviour.traits
        known = self.behaviour.known(day)
        point = known & (s.uniform("decision:point", tr.user, day) < p.decision_rate)
        local = np.flatnonzero(point)
        users = tr.user[local]
        probs = self.policy.probabilities(consent.state[local])
        action = choose_from_cumulative(np.cumsum(probs, axis=1),
                                        s.uniform("decision:action", users, day))
        propensity = probs[np.arange(local.shape[0]), action]
        if plan is not None and plan.has_day(day):
            action, propensity = plan.steer(day, users, self.policy.allowed(consent.state[local]),
                                            action, propensity, self.policy.bank)
        lo, hi = p.decision_window
        decide_t = day * _DAY + np.floor(
            (lo + (hi - lo) * s.uniform("decision:time", users, day)) * 3600).astype(np.int64)

        quiet = action == 0
        parts = [EventBatch.make("decision_served", t=decide_t[quiet], user=users[quiet], cid=True,
                                 action=0, propensity=propensity[quiet], sub=0)]
        sent = np.flatnonzero(~quiet)
        self.fatigue *= p.fatigue_decay
        if sent.size:
            parts.append(self._send_and_respond(day, local[sent], action[sent],
                                                propensity[sent], consent))
            self.fatigue[local[sent]] += 1.0
        return EventBatch.concat(parts)

    def _send_and_respond(self, day: int, local: np.ndarray, action: np.ndarray,
                          propensity: np.ndarray, consent: Consent) -> EventBatch:
        s, p, tr, bank = self.streams, self.params, self.behaviour.traits, self.policy.bank
        users = tr.user[local]
        channel = bank.channel[action]
        send_hour = bank.send_hour[action]
        discount = bank.discount[action]
        cap = day * _DAY + p.response_cap_hours * 3600
        common = dict(cid=True, channel=channel, message_day=day)

        send_t = day * _DAY + send_hour * 3600 + np.floor(
            SEND_JITTER * s.uniform("message:send_t", users, day)).astype(np.int64)
        odds = response_odds(p, channel, send_hour, discount, tr.affinity[local, channel],
                             tr.preferred_hour[local], tr.discount_sensitivity[local],
                             tr.purchase_intent[local], self.behaviour.alive(day)[local],
                             self.fatigue[local])
        open_t = send_t + OPEN_DELAY_FLOOR + np.floor(s.exponential(
            "message:open_t", np.asarray(p.open_delay_minutes)[channel] * 60.0, users, day)
        ).astype(np.int64)
        opened = (s.uniform("message:open", users, day) < odds.open) & (open_t < cap)

        click_t = open_t + CLICK_DELAY.floor + np.floor(
            s.exponential("message:click_t", CLICK_DELAY.mean, users, day)).astype(np.int64)
        clicked = opened & (s.uniform("message:click", users, day) < odds.click) & (click_t < cap)

        convert_t = click_t + CONVERT_DELAY.floor + np.floor(
            s.exponential("message:convert_t", CONVERT_DELAY.mean, users, day)).astype(np.int64)
        converted = (clicked & (s.uniform("message:convert", users, day) < odds.convert)
                     & (convert_t < cap))

        unsub_t = np.where(opened, open_t, send_t) + UNSUBSCRIBE_DELAY.floor + np.floor(
            s.exponential("message:unsub_t", UNSUBSCRIBE_DELAY.mean, users, day)).astype(np.int64)
        unsubscribed = ((s.uniform("message:unsubscribe", users, day) < odds.unsubscribe)
                        & (unsub_t < cap))
        consent.revoke(local[unsubscribed], channel[unsubscribed])

        def pick(mask: np.ndarray, kind: str, t: np.ndarray, sub: int,
                 **extra: object) -> EventBatch:
            rows = np.flatnonzero(mask)
            values = {k: (v[rows] if isinstance(v, np.ndarray) else v)
                      for k, v in {**common, **extra}.items()}
            return EventBatch.make(kind, t=t[rows], user=users[rows], sub=sub, **values)

        everyone = np.ones(local.shape[0], dtype=bool)
        item = np.full(local.shape[0], -1)
        quantity = np.full(local.shape[0], -1)
        item[converted] = self.behaviour.pick_items("conversion", local[converted], day, 0)
        quantity[converted] = self.behaviour.pick_quantity("conversion", local[converted], day, 0)
        value = order_value(self.behaviour.catalog.price[item], quantity, discount)
        return EventBatch.concat([
            pick(everyone, "message_sent", send_t, 0, action=action, send_hour=send_hour,
                 discount=discount, propensity=propensity),
            pick(opened, "message_open", open_t, 1),
            pick(clicked, "message_click", click_t, 2),
            pick(converted, "conversion", convert_t, 3, item=item, quantity=quantity,
                 price=value, discount=discount),
            pick(unsubscribed, "unsubscribe", unsub_t, 4),
        ])
