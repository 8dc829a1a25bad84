"""Shipped model weights, word lists, the language model and icons (data only; found with importlib.resources)."""
