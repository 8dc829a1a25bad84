"""Named training configurations: the recipes of the shipped models, and tiny ones for tests."""

from __future__ import annotations

PRESETS: dict[str, dict] = {
    # The shipped handwriting model's first phase: UNIPEN minus two held-out contributors.
    # Since session 8 with the "core" ink normalisation, which read the held-out writers of all
    # three contributor folds better (docs/handwriting.md); the shipped model uses it since session 12 (hw24; hw25 since session 17; hw26, grown to 192 LSTM units, since session 18; hw27, grown to 224, since session 20).
    "handwriting": {
        "modality": "handwriting",
        "out_dir": "runs/handwriting",
        "data": ["unipen:word,digit,upper,lower,text"],
        "holdout": ["art", "imp"],
        "features": {"norm": "core"},
        "total_steps": 10000,
        "eval_every": 1000,
        "val_limit": 2000,
        "threads": 1,
    },
    # The log-mel speech model shipped until the encoder head (features learned from scratch):
    # synthetic voices plus the real training recordings, waveform-augmented on the fly.
    "speech-logmel": {
        "modality": "speech",
        "out_dir": "runs/speech-logmel",
        # the real recordings are listed three times: they count triple against the synthetic voices
        "data": ["speech:data/speech_synth/train.jsonl"] + ["speech:data/speech_real/train.jsonl"] * 3,
        "val_data": ["speech:data/speech_real/val.jsonl", "speech:data/speech_synth/val_flite.jsonl"],
        "total_steps": 4000,
        "batch_frames": 24000,
        "max_batch": 64,
        "eval_every": 500,
        "val_limit": 500,
        "augment_strength": 0.7,  # 1.0 left the model underfitting (training loss high)
        "threads": 1,
    },
    # The shipped speech model: a BiLSTM-CTC head on Whisper tiny.en's frozen encoder
    # (docs/speech.md), trained on frames cached once by `python -m recognizers.synth.encode_cache`:
    # the real recordings (clean and two augmented variants each), one clean take of each
    # synthetic utterance, non-speech clips (empty transcript).
    "speech": {
        "modality": "speech",
        "out_dir": "runs/speech-whisper",
        # pad_s: 0.15 s of silence around what is read (the cached frames were padded at random
        # instead); chosen on half of the held-out sets (docs/speech.md)
        "features": {"frontend": "whisper-tiny.en", "pad_s": 0.15},
        "data": ["encoded:data/speech_enc/synth_train", "encoded:data/speech_enc/real_train", "encoded:data/speech_enc/noise"],
        "val_data": ["encoded:data/speech_enc/val_cathy", "encoded:data/speech_enc/val_fsdd", "encoded:data/speech_enc/val_flite"],
        "total_steps": 2500,
        "warmup_steps": 150,
        "lr": 2e-3,
        "batch_frames": 8000,  # encoder frames (50 a second)
        "max_batch": 48,
        "eval_every": 250,
        "checkpoint_every": 100,
        "val_limit": 600,
        "threads": 1,
    },
    # A few seconds of training, for tests and for trying the pipeline.
    "tiny-handwriting": {
        "modality": "handwriting",
        "out_dir": "runs/tiny-handwriting",
        "model": {"conv_channels": 48, "hidden": 64, "layers": 2, "dropout": 0.0, "conv_strides": [1]},
        "total_steps": 150,
        "warmup_steps": 10,
        "eval_every": 75,
        "checkpoint_every": 75,
        "batch_frames": 6000,
        "max_batch": 64,
        "lr": 3e-3,
        "augment": False,
    },
    "tiny-speech": {
        "modality": "speech",
        "out_dir": "runs/tiny-speech",
        "model": {"conv_channels": 32, "hidden": 48, "layers": 1, "dropout": 0.0},
        "total_steps": 40,
        "warmup_steps": 10,
        "eval_every": 20,
        "checkpoint_every": 20,
        "batch_frames": 8000,
        "max_batch": 8,
        "lr": 3e-3,
    },
    "tiny-speech-whisper": {
        "modality": "speech",
        "out_dir": "runs/tiny-speech-whisper",
        "features": {"frontend": "whisper-tiny.en"},
        "model": {"conv_channels": 32, "hidden": 48, "layers": 1, "dropout": 0.0},
        "total_steps": 30,
        "warmup_steps": 5,
        "eval_every": 15,
        "checkpoint_every": 15,
        "batch_frames": 4000,
        "max_batch": 8,
        "lr": 3e-3,
    },
    # Personalisation: a short fine-tune of the active model on the user's samples.
    "quick-finetune": {
        "total_steps": 300,
        "warmup_steps": 30,
        "lr": 5e-4,
        "eval_every": 100,
        "checkpoint_every": 100,
        "replay_fraction": 0.5,
    },
}

# The learning rate each modality's model is personalised at: on ten held-out UNIPEN writers
# (two sets of five, docs/personalization.md) 2e-4 left fewer handwriting errors than 5e-4,
# greedy and with the beam; the speech head's held-out speaker gained most at 5e-4.
QUICK_FINETUNE_LR = {"handwriting": 2e-4, "speech": 5e-4}


def quick_finetune(modality: str) -> dict:
    """The quick-finetune preset for `modality`'s model (its own learning rate)."""
    base = PRESETS["quick-finetune"]
    return {**base, "lr": QUICK_FINETUNE_LR.get(modality, base["lr"])}
