"""Widen a trained model's LSTMs without changing what it computes (Net2Net-style growth).

A trained model underfits its own training writers (docs/handwriting.md, session 17), and a
larger network from scratch costs the whole recipe again on two cores. Growing the trained
one keeps what it learned: each LSTM gets new units whose incoming weights are small and
random, while every weight *out* of a new unit (into the old units, the next layer and the
head) starts at zero, so the widened model's outputs equal the old model's exactly; training
then puts the new units to use.
"""

from __future__ import annotations

import dataclasses

import torch

from recognizers.checkpoint import Checkpoint

_GATES = 4  # PyTorch's LSTM stacks the input, forget, cell and output gates in one matrix


def _embed(w: torch.Tensor, rows: torch.Tensor, cols: torch.Tensor | None, shape: tuple[int, ...],
           gen: torch.Generator, scale: float) -> torch.Tensor:
    """Place the old weights `w` at `rows` (x `cols`) of a new tensor of `shape`.

    Rows of new units get small random weights from every input; rows of old units get zero
    from every new input, so the old units compute what they did."""
    out = (torch.rand(shape, generator=gen, dtype=w.dtype) * 2 - 1) * scale
    if cols is None:  # a bias
        out[rows] = w
        return out
    out[rows] = 0
    out[rows.unsqueeze(1), cols.unsqueeze(0)] = w
    return out


def _gate_rows(old: int, new: int) -> torch.Tensor:
    """Where each gate's old units sit among the new units' rows."""
    return torch.cat([torch.arange(old) + g * new for g in range(_GATES)])


def _bi_cols(old: int, new: int) -> torch.Tensor:
    """Where [forward old | backward old] sit among [forward new | backward new]."""
    return torch.cat([torch.arange(old), torch.arange(old) + new])


def widen_checkpoint(ckpt: Checkpoint, hidden: int, seed: int = 0, init_scale: float | None = None) -> Checkpoint:
    """A copy of `ckpt` with `hidden` LSTM units per direction, computing the same outputs."""
    old = ckpt.model_config.hidden
    if hidden < old:
        raise ValueError(f"cannot narrow a model ({old} -> {hidden} units)")
    if hidden == old:
        return ckpt
    gen = torch.Generator().manual_seed(seed)
    scale = init_scale if init_scale is not None else hidden ** -0.5  # PyTorch's own LSTM initialisation range
    sd = {k: v.clone() for k, v in ckpt.state_dict.items()}
    rows = _gate_rows(old, hidden)
    for i in range(ckpt.model_config.layers):
        for d in ("fwd", "bwd"):
            p = f"lstms.{i}.{d}."
            w_ih = sd[p + "weight_ih_l0"]
            if i == 0:  # reads the convolution, which does not grow
                in_cols, n_in = torch.arange(w_ih.shape[1]), w_ih.shape[1]
            else:  # reads both directions of the layer below, which grew too
                in_cols, n_in = _bi_cols(old, hidden), 2 * hidden
            sd[p + "weight_ih_l0"] = _embed(w_ih, rows, in_cols, (_GATES * hidden, n_in), gen, scale)
            sd[p + "weight_hh_l0"] = _embed(sd[p + "weight_hh_l0"], rows, torch.arange(old),
                                            (_GATES * hidden, hidden), gen, scale)
            for b in ("bias_ih_l0", "bias_hh_l0"):
                sd[p + b] = _embed(sd[p + b], rows, None, (_GATES * hidden,), gen, scale)
    head = sd["head.weight"]
    sd["head.weight"] = _embed(head, torch.arange(head.shape[0]), _bi_cols(old, hidden),
                               (head.shape[0], 2 * hidden), gen, scale)
    mcfg = dataclasses.replace(ckpt.model_config, hidden=hidden)
    info = dict(ckpt.info)
    info["widened_from"] = {"hidden": old, "name": ckpt.info.get("name", "")}
    return dataclasses.replace(ckpt, model_config=mcfg, state_dict=sd, info=info)
