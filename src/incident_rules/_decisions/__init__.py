"""Decisions: the output data, their explanations and their deadlines."""
