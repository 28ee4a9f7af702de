"""Feature packages: each exposes `router.setup() -> Router`."""
