"""Scrivox recognizers: features, models, decoding, data, training and the command line.

Nothing here imports Qt, so it trains on a headless machine and under torchrun.
"""
