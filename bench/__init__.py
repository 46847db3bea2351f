"""Benchmarks: accuracy on real photographs with known answers, and speed against references."""
