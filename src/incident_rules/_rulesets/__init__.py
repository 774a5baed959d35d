"""Rulesets: the condition language, YAML reading, params, the rule model, loading and checking."""
