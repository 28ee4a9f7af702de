"""CSV, chargeback and FOCUS exports: formatting only; rows come from core.services.exports."""
