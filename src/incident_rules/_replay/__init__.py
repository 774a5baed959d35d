"""Replay: many documents at once, flat records, a policy diff; the stage after the engine."""
