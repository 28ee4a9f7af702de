"""Manual CSV costs (date, service, resource, cost, optional tags, currency) for any provider."""
