"""No free-text steps: thresholds are set with `infrazen rec threshold`."""

__all__: list[str] = []
