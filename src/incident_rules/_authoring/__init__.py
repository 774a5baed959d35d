"""Rule authoring: layered rulesets, the exact fact space, lint, why-not, policy tests, diagrams."""
