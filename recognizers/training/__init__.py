"""Training the recognizers: the loop, data sets and specs, presets, augmentation, evaluation of a run."""
