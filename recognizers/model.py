"""The BiLSTM-CTC model: a convolutional front end, a stack of bidirectional LSTMs, a linear head."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class ModelConfig:
    input_dim: int
    num_classes: int  # alphabet size including the blank
    conv_channels: int = 128
    conv_kernel: int = 5
    conv_strides: tuple[int, ...] = (1,)  # one conv layer per entry; their product subsamples time
    hidden: int = 160  # LSTM units per direction
    layers: int = 3
    dropout: float = 0.15

    @property
    def subsampling(self) -> int:
        s = 1
        for k in self.conv_strides:
            s *= k
        return s

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        d["conv_strides"] = list(self.conv_strides)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ModelConfig":
        d = dict(d)
        d["conv_strides"] = tuple(d.get("conv_strides", (1,)))
        return cls(**d)


def reverse_padded(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Reverse each sequence within its own length; padding stays at the end. x: (B, T, F)."""
    B, T, _ = x.shape
    t = torch.arange(T, device=x.device).unsqueeze(0).expand(B, T)
    L = lengths.to(x.device).unsqueeze(1)
    idx = torch.where(t < L, L - 1 - t, t)
    return x.gather(1, idx.unsqueeze(-1).expand_as(x))


class BiLSTMLayer(nn.Module):
    """A bidirectional LSTM over padded batches without packing.

    The backward direction runs on each sequence reversed within its own length, so the
    padding never reaches the real frames (exact, and far faster on the CPU than
    pack_padded_sequence, whose backward pass is some 50x slower here).
    """

    def __init__(self, input_size: int, hidden: int) -> None:
        super().__init__()
        self.fwd = nn.LSTM(input_size, hidden, batch_first=True)
        self.bwd = nn.LSTM(input_size, hidden, batch_first=True)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        f, _ = self.fwd(x)
        if bool((lengths == x.shape[1]).all()):
            b, _ = self.bwd(x.flip(1))
            b = b.flip(1)
        else:
            b, _ = self.bwd(reverse_padded(x, lengths))
            b = reverse_padded(b, lengths)
        return torch.cat([f, b], dim=-1)


class CTCModel(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        convs: list[nn.Module] = []
        ch = cfg.input_dim
        for stride in cfg.conv_strides:
            convs += [
                nn.Conv1d(ch, cfg.conv_channels, cfg.conv_kernel, stride=stride, padding=cfg.conv_kernel // 2),
                nn.BatchNorm1d(cfg.conv_channels),
                nn.GELU(),
            ]
            ch = cfg.conv_channels
        self.front = nn.Sequential(*convs)
        self.lstms = nn.ModuleList()
        for i in range(cfg.layers):
            self.lstms.append(BiLSTMLayer(ch if i == 0 else 2 * cfg.hidden, cfg.hidden))
        self.dropout = nn.Dropout(cfg.dropout)
        self.head = nn.Linear(2 * cfg.hidden, cfg.num_classes)

    def output_lengths(self, lengths: torch.Tensor) -> torch.Tensor:
        """Frames out of the front end for `lengths` frames in."""
        k = self.cfg.conv_kernel
        for s in self.cfg.conv_strides:
            lengths = (lengths + 2 * (k // 2) - k) // s + 1
        return lengths

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x: (B, T, input_dim) padded; lengths: (B,). Returns log-probs (B, T', C) and lengths (B,)."""
        h = self.front(x.transpose(1, 2)).transpose(1, 2)
        out_len = self.output_lengths(lengths).clamp(min=1, max=h.shape[1])
        for lstm in self.lstms:
            h = lstm(self.dropout(h), out_len)
        return self.head(self.dropout(h)).log_softmax(-1), out_len
