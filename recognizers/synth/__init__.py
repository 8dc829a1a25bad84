"""Synthetic training data: ink from stroke and handwriting fonts, speech from text-to-speech voices."""
