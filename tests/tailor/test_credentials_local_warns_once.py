"""In the local profile the default pseudonym key (and development API keys) are allowed, with
one warning per process, not one per job or request."""
import logging

from tailor import credentials


def test_local_warns_once(cfg, caplog, monkeypatch):
    monkeypatch.setattr(credentials, "_warned", set())
    cfg = cfg.model_copy(update={"serving": cfg.serving.model_copy(update={
        "api_keys": cfg.serving.api_keys.model_copy(update={"events": []})})})
    assert cfg.env == "local"
    with caplog.at_level(logging.WARNING, logger="tailor"):
        credentials.check(cfg, "job ingest")
        credentials.check(cfg, "job identity")
        credentials.check(cfg, "lookup server", api_keys=True)
        credentials.check(cfg, "lookup server", api_keys=True)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2, warnings  # the key once, then the empty events keys once
    assert "privacy.pseudonym_key" in warnings[0] and "TAILOR__PRIVACY__PSEUDONYM_KEY" in warnings[0]
    assert "serving.api_keys.events" in warnings[1] and "privacy" not in warnings[1]
