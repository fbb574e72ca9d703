"""Pruning keeps the newest serving.keep_snapshots snapshots plus CURRENT and its rollback
targets, and deletes the rest."""
from tailor.serving.snapshot import list_snapshots, prune_snapshots, rollback


def test_prune_keeps_recent_current_and_rollback_targets(decisions, cfg, publish):
    ids = [publish(decisions.slice(0, 5), version=v).snapshot_id for v in range(6)]
    rollback(cfg.serving_dir)  # CURRENT = ids[4]
    removed = prune_snapshots(cfg.serving_dir, keep=2)
    kept = list_snapshots(cfg.serving_dir)
    assert ids[4] in kept and ids[5] in kept and ids[3] in kept
    assert set(removed) == set(ids) - set(kept) and ids[0] in removed
