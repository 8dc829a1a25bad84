"""Data-parallel training under ``torchrun`` (PyTorch DDP): what the training loop needs.

Nothing here launches processes: ``torchrun`` does, and sets RANK, WORLD_SIZE, LOCAL_RANK,
MASTER_ADDR and MASTER_PORT. Without them training runs as one process, unchanged.

The sampling is the same as one process's: every rank computes the same length-bucketed
batches (the batch plan depends only on the seed and the epoch), and each rank takes every
WORLD_SIZE-th sample of each batch. The loss is scaled so that the all-reduced gradient is
the one-process gradient of the whole batch; the number of processes (and of
gradient-accumulation micro-batches) changes the speed, not the optimisation. One caveat:
the front end's BatchNorm sees each process's (micro-)batch on the CPU; on CUDA it becomes
SyncBatchNorm, whose statistics span the processes. N processes on the CPU therefore equal
one process with ``accum_steps=N`` (the same micro-batches), which the tests check.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import TypeVar

import torch
import torch.distributed as dist

T = TypeVar("T")


@dataclass
class DistInfo:
    rank: int = 0
    world: int = 1
    local_rank: int = 0
    owns_group: bool = False  # this code initialised the process group (and tears it down)

    @property
    def enabled(self) -> bool:
        return self.world > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def resolve_device(pref: str, local_rank: int = 0) -> str:
    """'auto' -> cuda:LOCAL_RANK when there is a GPU, else cpu; 'cuda' -> cuda:LOCAL_RANK."""
    if pref == "auto":
        return f"cuda:{local_rank}" if torch.cuda.is_available() else "cpu"
    if pref == "cuda":
        return f"cuda:{local_rank}"
    return pref


def setup(device_pref: str) -> tuple[DistInfo, str]:
    """Join the process group torchrun describes (gloo on the CPU, NCCL on CUDA), or run alone."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1 and not (dist.is_available() and dist.is_initialized()):
        return DistInfo(), resolve_device(device_pref)
    if not dist.is_available():
        raise RuntimeError("WORLD_SIZE > 1 but this torch build has no torch.distributed")
    local = int(os.environ.get("LOCAL_RANK", "0"))
    device = resolve_device(device_pref, local)
    if device.startswith("cuda"):
        torch.cuda.set_device(torch.device(device))
    owns = False
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.startswith("cuda") else "gloo")
        owns = True
    return DistInfo(dist.get_rank(), dist.get_world_size(), local, owns), device


def teardown(info: DistInfo) -> None:
    if info.owns_group and dist.is_initialized():
        dist.destroy_process_group()


def micro_batches(batch: list[int], info: DistInfo, accum_steps: int) -> list[list[int]]:
    """This rank's share of a global batch, cut into (at most) `accum_steps` micro-batches.

    The batch is sorted by length, so taking every n-th sample keeps the shares balanced."""
    mine = batch[info.rank :: info.world]
    parts = [mine[j::accum_steps] for j in range(max(1, accum_steps))]
    return [p for p in parts if p]


def all_sum(values: list[float], info: DistInfo, device: str) -> list[float]:
    """Element-wise sum over ranks (one small all-reduce)."""
    if not info.enabled:
        return values
    t = torch.tensor(values, dtype=torch.float64, device=device if device.startswith("cuda") else "cpu")
    dist.all_reduce(t, op=dist.ReduceOp.SUM)
    return t.tolist()


def broadcast_object(obj: T, info: DistInfo) -> T:
    """Rank 0's `obj` on every rank (the resume state: only rank 0 need see the file)."""
    if not info.enabled:
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def fingerprint(module: torch.nn.Module) -> str:
    """A digest of the parameters (BatchNorm's running statistics are buffers that DDP copies
    from rank 0 at each forward pass; only rank 0's are saved)."""
    h = hashlib.sha256()
    for k, v in sorted(module.named_parameters()):
        h.update(k.encode())
        h.update(v.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def check_in_sync(module: torch.nn.Module, info: DistInfo) -> None:
    """Raise when the replicas' parameters differ (they never should: same start, same gradients)."""
    if not info.enabled:
        return
    mine = fingerprint(module)
    prints: list = [None] * info.world
    dist.all_gather_object(prints, mine)
    if len(set(prints)) != 1:
        raise RuntimeError(f"the {info.world} training processes ended with different weights: {prints}")
