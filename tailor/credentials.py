"""Start-up check of the secrets Tailor cannot run safely without.

* ``privacy.pseudonym_key``: the HMAC key behind every pseudonymous person id (pipeline and
  lookup server). The shipped default ``change-me-in-production`` is public: with customer ids
  like ``C`` + 7 digits, pseudonyms made with it are reversed by trying every id.
* ``serving.api_keys.events`` / ``.admin`` (lookup server only): with an empty list the
  endpoint refuses everything, so a deployment without keys is a misconfiguration.

Outside the ``local`` profile (``TAILOR_ENV`` other than ``local``) the server and every job
refuse to start on a default or missing secret, saying which and how to set it; in ``local``
they warn once per process and go on (development keys and the default are fine on a laptop).
"""
from __future__ import annotations

import logging
from typing import Any

from tailor.config import ConfigError

log = logging.getLogger("tailor")

DEFAULT_PSEUDONYM_KEY = "change-me-in-production"  # the value in conf/base.yaml
LOCAL_PROFILE = "local"
_warned: set[str] = set()


class CredentialsError(ConfigError):
    """A secret is missing or still the public default outside the local profile."""


def problems(cfg: Any, api_keys: bool = False) -> list[str]:
    """What is wrong with the configured secrets, each with how to fix it (empty: nothing)."""
    found = []
    key = cfg.privacy.pseudonym_key
    if not key or key == DEFAULT_PSEUDONYM_KEY:
        what = "empty" if not key else f"the public default {DEFAULT_PSEUDONYM_KEY!r}"
        found.append(f"privacy.pseudonym_key is {what}: set a secret shared by the pipeline and "
                     f"every server, e.g. TAILOR__PRIVACY__PSEUDONYM_KEY=$(openssl rand -hex 32) "
                     f"(changing it later changes every person id)")
    if api_keys:
        for scope, route in (("events", "POST /v1/events"), ("admin", "/v1/admin/*")):
            if not getattr(cfg.serving.api_keys, scope):
                found.append(f"serving.api_keys.{scope} is empty, so {route} refuses every "
                             f"request: set e.g. TAILOR__SERVING__API_KEYS__{scope.upper()}="
                             f"'[\"$(openssl rand -hex 16)\"]'")
    return found


def check(cfg: Any, component: str, api_keys: bool = False) -> None:
    """Refuse to start ``component`` on default/missing secrets outside the local profile
    (:class:`CredentialsError`); in the local profile warn once per process."""
    found = problems(cfg, api_keys)
    if not found:
        return
    if cfg.env != LOCAL_PROFILE:
        raise CredentialsError(
            f"refusing to start the {component} with TAILOR_ENV={cfg.env}: " + "; ".join(found)
            + f" (only TAILOR_ENV={LOCAL_PROFILE} runs with development secrets)")
    fresh = [p for p in found if p not in _warned]
    if fresh:
        _warned.update(fresh)
        log.warning("development secrets in use (fine with TAILOR_ENV=%s only): %s",
                    LOCAL_PROFILE, "; ".join(fresh))
