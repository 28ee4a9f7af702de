"""Text of pushed messages (alerts, digests, notices) from the ru/en catalogues."""
