"""The batches of a training epoch, step by step: this rank's micro-batches, collated, loaded
in the training process or by DataLoader workers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch

from recognizers.training import distributed as ddp
from recognizers.training.datasets import FeatureSet, collate

if TYPE_CHECKING:
    from recognizers.training.loop import TrainConfig


class StepData(torch.utils.data.Dataset):
    """Step k of an epoch's plan -> (global batch, this rank's collated micro-batches).

    Augmentation draws from a generator seeded by (seed, epoch, sample), so a sample is
    augmented the same way whichever process, worker or micro-batch it lands in."""

    def __init__(self, data: FeatureSet, plan: list[list[int]], info, cfg: TrainConfig, epoch: int) -> None:
        self.data, self.plan, self.info, self.cfg, self.epoch = data, plan, info, cfg, epoch

    def __len__(self) -> int:
        return len(self.plan)

    def __getitem__(self, k: int):
        batch = self.plan[k]
        parts = []
        for idx in ddp.micro_batches(batch, self.info, self.cfg.accum_steps):
            items = [self.data.get(i, np.random.default_rng([self.cfg.seed, self.epoch, i]) if self.cfg.augment else None) for i in idx]
            parts.append(collate(items)[:4])
        return batch, parts


def step_loader(data: FeatureSet, plan: list[list[int]], info, cfg: TrainConfig, epoch: int):
    steps = StepData(data, plan, info, cfg, epoch)
    if cfg.workers <= 0:
        return (steps[k] for k in range(len(steps)))
    return torch.utils.data.DataLoader(steps, batch_size=None, shuffle=False, num_workers=cfg.workers,
                                       pin_memory=torch.cuda.is_available(), prefetch_factor=4)
