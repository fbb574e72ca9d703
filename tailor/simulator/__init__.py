"""The simulated world behind ``tailor simulate``: a deterministic population of customers with
hidden traits, devices and consent, who browse, buy, churn and respond to marketing sent by a
randomised logging policy (propensities recorded). Writes JSON-lines landing events exactly per
``tailor.events`` plus a separate ``ground_truth/`` the pipeline never reads.

Modules, one responsibility each: ``streams`` (counter-based randomness and ids), ``params``
(world physics), ``catalog`` (items), ``traits`` (hidden user traits), ``identity`` (devices,
cookies, logins), ``consent`` (per-channel consent), ``behaviour`` (sessions, purchases, churn),
``marketing`` (action bank, logging policy, responses), ``decisions`` (closed loop: send what a
policy decided instead), ``columns`` (columnar event batches), ``writer`` (JSON lines, Parquet,
world.json) and ``world`` (orchestration).

For tests and benches only, never imported here nor by the pipeline: ``oracle`` (the exact
expected outcome of any decision, from the hidden traits), built on ``expectations`` (its
arithmetic) and ``logbook`` (what a world's landing files say about consent and decisions).
"""
from tailor.simulator.marketing import ActionBank, LoggingPolicy
from tailor.simulator.params import WorldParams
from tailor.simulator.world import DEFAULT_CHUNK_SIZE, simulate

__all__ = ["simulate", "WorldParams", "ActionBank", "LoggingPolicy", "DEFAULT_CHUNK_SIZE"]
