"""/report (the CFO brief as a PDF) and /export (costs, chargeback and FOCUS CSV files)."""
