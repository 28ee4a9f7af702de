"""Alert rules, their registry, evaluation into deduplicated events, routing and feedback."""
