"""Cloud.ru Evolution: access-key token, billing consumption (v2), compute inventory."""
