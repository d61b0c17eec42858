"""Benchmark of the assistant against Rasa's default configuration (see bench/bench.py)."""
