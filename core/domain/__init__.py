"""Domain objects shared by every layer: plain, typed, immutable where possible, no I/O."""
