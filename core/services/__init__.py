"""Use cases: each takes a session (and what else it needs) and returns domain results."""
