"""Benchmarks: figures, not pass/fail (see README.md); `python -m bench` runs them all."""
