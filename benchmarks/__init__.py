"""Runnable benchmarks: `python -m benchmarks.<name>` (see README, "Performance")."""
