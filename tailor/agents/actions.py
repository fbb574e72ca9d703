"""The action bank (conf/actions.yaml) as a flat list of actions the lifecycle agent scores."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NO_MESSAGE = "no_message"


@dataclass(frozen=True)
class Action:
    action_id: str          # "email@18:pct10"
    channel: str
    send_hour: int
    offer: str
    discount: float
    cost: float


def action_id(channel: str, hour: int, offer: str) -> str:
    return f"{channel}@{hour}:{offer}"


def build_bank(bank: dict[str, Any], quiet_hours: list[int]) -> list[Action]:
    """Every channel × send hour × offer, minus hours the guardian forbids (quiet hours)."""
    actions = []
    for channel, spec in bank["channels"].items():
        for hour in bank["send_hours"]:
            if hour in quiet_hours:
                continue
            for offer, discount in bank["offers"].items():
                actions.append(Action(action_id(channel, hour, offer), channel, int(hour), offer,
                                      float(discount), float(spec.get("cost", 0.0))))
    return actions
