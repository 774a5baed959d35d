"""The incident document: typed facts, their strict conversion, and the paths rules read."""
