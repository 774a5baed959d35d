"""Backends: the rule model bound to params and run, natively or on durable_rules."""
