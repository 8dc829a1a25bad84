"""Shared test set-up: Qt offscreen, and one torch thread (tiny models gain nothing from
more, and on a busy 2-core machine extra threads make them many times slower)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402

torch.set_num_threads(1)
