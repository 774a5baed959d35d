"""The quality gate: facts about a whole incident record, judged by ``hit: check`` rulesets."""
