"""Helpers that ship with kb for its tests and benchmarks: a synthetic corpus generator with ground truth."""
