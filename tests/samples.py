"""Small rules files more than one test module uses."""

from __future__ import annotations

__all__ = ["UNIQUE_BOTH"]

#: A unique ruleset whose two rules both hold on the seed example (user facing and widespread).
UNIQUE_BOTH = """\
ruleset: pick
hit: unique
values: [outage, broad]
rules:
  - id: pick.outage
    when: impact.user_facing
    then: outage
  - id: pick.broad
    when: impact.scope == "widespread"
    then: broad
"""
