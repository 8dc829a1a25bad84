"""Run by tests/recognizers/test_distributed.py under ``torchrun``: train as the config says,
then save this rank's parameters to OUT/rank<R>.pt so the test can compare the replicas."""

import json
import os
import sys

import torch

from recognizers.cli import JsonProgress
from recognizers.training.loop import TrainConfig, train

if __name__ == "__main__":
    cfg = TrainConfig.from_dict(json.loads(open(sys.argv[1]).read()))
    result = train(cfg, lambda ev: JsonProgress()(ev) if ev["kind"] in ("status", "done") else None)
    rank = int(os.environ.get("RANK", "0"))
    torch.save({k: v.detach().cpu() for k, v in result.model.named_parameters()}, os.path.join(sys.argv[2], f"rank{rank}.pt"))
