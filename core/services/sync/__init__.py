"""The sync engine: `run` (load, decrypt, collect, apply, refresh), `apply` (the one-transaction
write) with `resources`, `costs`, `rules`, and `estimates` for providers without history."""
