"""A loaded model that turns ink or audio into text, alternatives and confidences."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from recognizers.audio import SAMPLE_RATE, iter_audio_blocks, speed_perturb
from recognizers.checkpoint import Checkpoint, CheckpointError, load_checkpoint
from recognizers.decoding import Decoder, DecoderSettings, Hypothesis, make_decoder
from recognizers.decoding.confidence import nbest_shares
from recognizers.decoding.ctc import aligned_confidence, ctc_log_likelihood
from recognizers.decoding.hypothesis import join_lines
from recognizers.decoding.views import read_views
from recognizers.devices import PRECISIONS, pick_device, pick_precision, usable_device  # noqa: F401  (their home was here)
from recognizers.ink import Ink
from recognizers.ink_lines import digit_groups, drop_outliers, marks_host, split_lines, split_words
from recognizers.ink_views import VIEWS, ink_views
from recognizers.metrics import score_text
from recognizers.modality import Modality
from recognizers.paths import resource_path
from recognizers.vad import SegEvent, UtteranceSegmenter

MAX_UTTERANCE_S = 20.0  # longest piece read in one pass (the microphone's limit too)
# speech, when asked (`set_views`): the final reading also hears the utterance played 5 % slower
# and 5 % faster (pitch with it), as handwriting reads its ink slanted and stretched. Off by
# default: about 0.5 points of WER for three encoder passes, past issue 12's real-time factor
# of 0.05 (docs/speech.md, *Session 23*)
SPEED_VIEWS = (0.95, 1.05)
_DIGITS = re.compile(r"[0-9]+( [0-9]+)*")  # a reading of digits alone (`_digits_apart`)
KNOWN_GAPS = (0.8, 0.6)  # narrower gaps a piece read with an unknown word is cut at (`_known_apart`)
COMMON_WORD = -4.5  # ... when each part reads as a word at least this common (log10 unigram)


def default_model_path(modality: str) -> Path:
    """The shipped model for `handwriting` or `speech`."""
    return resource_path("models", f"{modality}.pt")


CHARSETS = {
    "digits": "0123456789",
    "upper": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "lower": "abcdefghijklmnopqrstuvwxyz",
    "letters": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "number": "0123456789.,-+$%/: ",
}


def restrict(log_probs: torch.Tensor, alphabet_chars: str, allowed: str) -> torch.Tensor:
    """Log-probs (T, C) with every character outside `allowed` made impossible (blank kept)."""
    keep = torch.tensor([True] + [c in allowed for c in alphabet_chars])
    return log_probs.masked_fill(~keep, float("-inf"))


@dataclass
class Recognition:
    """What a recognizer read: the decoder's hypotheses, best first, and how long it took."""

    hypotheses: list[Hypothesis] = field(default_factory=list)
    elapsed_ms: float = 0.0

    @property
    def text(self) -> str:
        return self.hypotheses[0].text if self.hypotheses else ""

    @property
    def alternatives(self) -> list[tuple[str, float]]:
        """(text, score) of each hypothesis, best first."""
        return [(h.text, h.score) for h in self.hypotheses]

    @property
    def char_confidence(self) -> list[float]:
        return self.hypotheses[0].char_confidence if self.hypotheses else []

    @property
    def word_confidence(self) -> list[tuple[str, float]]:
        """(word, confidence in [0, 1]) for each word of the best text."""
        return self.hypotheses[0].word_confidence if self.hypotheses else []

    def shares(self) -> list[float]:
        """Each alternative's share of the n-best's probability, in the same order."""
        return nbest_shares([h.score for h in self.hypotheses])


# A label this many nats a character less likely than the model's own reading is another text
# than the one written or said: on fold A's held-out words (scripts/measure_label_check.py,
# docs/settings.md) 0.8 % of rightly labelled words pass it and 99.7 % of words labelled
# with another word do.
OTHER_TEXT_NATS = 3.0


@dataclass
class LabelCheck:
    """How a sample's label compares with what the model reads in it."""

    reading: str  # the model's reading, as the app would show it
    excess: float  # nats per label character by which the label is less likely than the reading

    @property
    def another_text(self) -> bool:
        return self.excess > OTHER_TEXT_NATS


@dataclass
class Segment:
    """One utterance of a long recording: where it lies (seconds) and what was read."""

    start_s: float
    end_s: float
    recognition: Recognition

    @property
    def text(self) -> str:
        return self.recognition.text


class Recognizer:
    """A loaded model with its decoder. It leaves torch's thread count alone: the program
    that uses it decides (the CLI and the app use one thread; see their entry points)."""

    def __init__(self, ckpt: Checkpoint, device: str = "auto", decoder: DecoderSettings | str | Decoder = "prefix", path: str | None = None, precision: str = "auto") -> None:
        self.ckpt = ckpt
        self.modality = Modality.parse(ckpt.modality)
        self.path = path
        self.word_gap: float | None = None  # split_words' gap (None: its default; inf: never cut a line)
        # handwriting: read each word also slanted and stretched (recognizers.ink_views); it
        # mends misreadings of a stranger's hand for about 1.5-2.5 times the time
        self.ink_views = True
        # with the views, the lexicon beam also searches each view where they disagree
        # (read_views' search_views): lines of strangers' hands read better, at twice the time
        self.search_views = True
        # speech: the speeds of the extra views of a final reading (SPEED_VIEWS; () for none);
        # each is one more encoder pass. Partial readings keep to the recording as it is.
        self.speed_views: tuple[float, ...] = ()
        self._frame_cache = self._head_cache = None  # streaming partials (recognize_partial), made on first use
        self.device, self.device_note = usable_device(device)
        try:
            self.model = ckpt.build_model(self.device)
        except RuntimeError as exc:  # a GPU that is there but fails (driver, memory): the CPU
            if self.device == "cpu":
                raise
            self.device_note = f"{self.device} failed ({exc.__class__.__name__}); using the CPU"
            self.device = "cpu"
            self.model = ckpt.build_model(self.device)
        self.dtype = pick_precision(self.device, precision)
        self.model.to(self.dtype)
        self.decoder = make_decoder(decoder, ckpt.alphabet, self.modality) if isinstance(decoder, (str, DecoderSettings)) else decoder

    def set_views(self, on: bool) -> None:
        """Read in several views (handwriting: slanted and stretched, `ink_views`; speech: at
        the speeds of SPEED_VIEWS, `speed_views`), or once: fewer errors, or a half (handwriting)
        to a third (speech) of the time."""
        if self.modality == Modality.SPEECH:
            self.speed_views = SPEED_VIEWS if on else ()
        else:
            self.ink_views = on

    @classmethod
    def load(cls, path: str | os.PathLike | None = None, modality: str | None = None, device: str = "auto", decoder: DecoderSettings | str | Decoder = "prefix", precision: str = "auto") -> "Recognizer":
        """Load a checkpoint (the shipped model for `modality`, handwriting by default, when
        no path is given). `precision`: see `pick_precision`.

        Raises CheckpointError with a readable message for a missing or damaged file, and
        for a model of another modality than `modality` when one is named.
        """
        p = Path(path) if path else default_model_path(modality or "handwriting")
        ckpt = load_checkpoint(p)
        if modality is not None and ckpt.modality != modality:
            raise CheckpointError(f"{p} is a {ckpt.modality} model, not a {modality} model")
        return cls(ckpt, device, decoder, str(p), precision)

    def features(self, sample: Ink | np.ndarray) -> np.ndarray:
        return self.modality.features(sample, self.ckpt.feature_config)

    @torch.inference_mode()
    def log_probs(self, feats: np.ndarray) -> torch.Tensor:
        """Per-frame log-probabilities (T', C) for features (T, F)."""
        x = torch.from_numpy(feats).unsqueeze(0).to(self.device, self.dtype)
        lp, _ = self.model(x, torch.tensor([len(feats)]))
        return lp[0].float().cpu()

    def recognize(self, sample: Ink | np.ndarray, charset: str | None = None, split: bool = True) -> Recognition:
        """Text for ink (list of (N, 3) strokes) or audio (mono float32 at 16 kHz).

        Ink of several lines is split into lines (`recognizers.ink_lines.split_lines`; not
        with `split=False`), each line read on its own and the texts joined with "\n";
        ink of one line takes the single-pass path unchanged.

        `charset` restricts the output to some characters (a name from CHARSETS, such as
        "digits", or the characters themselves): the hint a number field gives, which
        settles what shape alone cannot (0 or O, 1 or l, S or s).
        """
        t0 = time.perf_counter()
        if self.modality == Modality.HANDWRITING and split:
            # what the features would drop must not make a line or a word
            ink = drop_outliers(sample) if getattr(self.ckpt.feature_config, "drop_outliers", False) else list(sample)
            lines = split_lines(ink)
            parts = [self._read_line([ink[i] for i in g], charset) for g in lines]
            lines, parts = self._marks_joined(ink, lines, parts, charset)
            if len(parts) > 1:  # a line read as nothing adds no break
                parts = [p for p in parts if p and p[0].text.strip()]
            hyps = parts[0] if len(parts) == 1 else join_lines(parts)
            return Recognition(self._not_nothing(hyps, ink), (time.perf_counter() - t0) * 1000)
        return Recognition(self._read(sample, charset), (time.perf_counter() - t0) * 1000)

    def _marks_joined(self, ink: Ink, lines: list[list[int]], parts: list[list[Hypothesis]], charset: str | None) -> tuple[list[list[int]], list[list[Hypothesis]]]:
        """A "line" read as marks alone (", ," under a word: no letter or digit) that hangs
        from a larger neighbour (`marks_host`) is pieces of that line's letters (descenders cut
        off by pen-ups, a row of quotes): it joins the line, which is read again with them."""
        k = 0
        while len(lines) > 1 and k < len(lines):
            text = parts[k][0].text if parts[k] else ""
            j = None if not text.strip() or any(c.isalnum() for c in text) else marks_host(ink, lines, k)
            if j is None:
                k += 1
                continue
            joined = sorted(lines[j] + lines[k])
            del lines[k], parts[k]
            j -= j > k
            lines[j], parts[j] = joined, self._read_line([ink[i] for i in joined], charset)
            k = 0
        return lines, parts

    def _not_nothing(self, hyps: list[Hypothesis], ink: Ink) -> list[Hypothesis]:
        """Ink that is there reads as something: where the best reading of the whole ink is
        empty (with the beam's word score at 0 a lone dot, a period, can rank below nothing),
        the empty readings leave the list, and the best with text gets its letters' confidence."""
        if not hyps or hyps[0].text.strip() or not any(h.text.strip() for h in hyps):
            return hyps
        hyps = [h for h in hyps if h.text.strip()]
        top, feats = hyps[0], self.features(ink)
        if not top.char_confidence and len(feats) and set(top.text) <= set(self.ckpt.alphabet.chars):
            lp = self.log_probs(feats)
            measure = getattr(self.decoder, "confidence", None)  # the lexicon beam's own measure
            top.char_confidence = measure(lp, top.text) if measure else aligned_confidence(lp, self.ckpt.alphabet.encode(top.text))
        return hyps

    def _read_line(self, line: Ink, charset: str | None) -> list[Hypothesis]:
        """One line of ink: cut into words at wide gaps (`split_words`), the words read in one
        batch and joined with spaces; what is not cut, the model reads with its own spaces.
        A word read on its own reads as the model learnt words, without a neighbour's ink."""
        words = split_words(line, self.word_gap)
        if len(words) == 1:
            return self._known_apart(line, self._digits_apart(line, self._read(line, charset), charset), charset)
        inks = [[line[i] for i in g] for g in words]
        parts = [self._known_apart(w, self._digits_apart(w, p, charset), charset) for w, p in zip(inks, self._read_words(inks, charset))]
        read = [p for p in parts if p and p[0].text.strip()]  # a word read as nothing adds no space
        if len(read) > 1:
            return join_lines(read, sep=" ")
        return read[0] if read else next((p for p in parts if p), [])  # all empty: the decoder's own answer

    def _known_apart(self, piece: Ink, hyps: list[Hypothesis], charset: str | None) -> list[Hypothesis]:
        """A piece read with a word the lexicon does not know, whose ink has gaps narrower than
        a word gap (`KNOWN_GAPS`, reference heights), is cut at the widest of them that make
        every part read as a known word, and the parts are joined with spaces: "the dog is
        very", written with gaps of 0.7 heights, read "the dogisvery". The lexicon decides
        because gaps this narrow also part the letters of one word (a word read right stays
        whole, and an unknown word that is a name stays whole unless every part is a word)."""
        known = getattr(self.decoder, "known", None) if getattr(self.decoder, "mode", None) == "lexicon" else None
        text = hyps[0].text if hyps else ""
        # words run together are long: a short unknown word is a misread one, not worth a re-read
        if known is None or self.word_gap == float("inf") or not any(len(w) >= 5 and not known(w) for w in text.split()):
            return hyps
        cuts: list[list[list[int]]] = []
        for gap in KNOWN_GAPS:
            groups = split_words(piece, gap, spaced=False)
            if 1 < len(groups) <= len(text.replace(" ", "")) and groups not in cuts:
                cuts.append(groups)
        pieces = list(dict.fromkeys(tuple(g) for groups in cuts for g in groups))  # read once, in one batch
        read = dict(zip(pieces, self._read_words([[piece[i] for i in g] for g in pieces], charset))) if pieces else {}
        for groups in cuts:
            parts = [read[tuple(g)] for g in groups]
            if all(p and p[0].text.strip() and all(self.decoder.common(w, COMMON_WORD) for w in p[0].text.split()) for p in parts):
                cut = join_lines(parts, sep=" ")
                if cut[0].score > hyps[0].score:  # the reading as written stays a candidate
                    return cut[: max(len(hyps), 2) - 1] + [h for h in hyps[:1] if h.text != cut[0].text]
        return hyps

    def _digits_apart(self, word: Ink, hyps: list[Hypothesis], charset: str | None) -> list[Hypothesis]:
        """A piece read as digits alone whose parts stand far apart is several numbers ("1 2 3
        4", `digit_groups`), not one number written wide: `split_words` keeps letter-sized
        pieces together (letters printed apart), which only the reading tells from digits.
        The parts are then read one by one, as digits (the reading of the whole says what
        they are), and joined with spaces. Not when lines are never cut (`word_gap` inf)."""
        text = hyps[0].text if hyps else ""
        if len(text.replace(" ", "")) < 2 or not _DIGITS.fullmatch(text) or self.word_gap == float("inf"):
            return hyps
        pieces = digit_groups(word)
        if len(pieces) < 2:
            return hyps
        parts = self._read_words([[word[i] for i in g] for g in pieces], "digits")  # within any hint that gave digits
        if not all(p and p[0].text.strip() for p in parts):
            return hyps
        return join_lines(parts, sep=" ")

    def _read_words(self, words: list[Ink], charset: str | None) -> list[list[Hypothesis]]:
        """Hypotheses for each piece of ink, in order (none for a piece without features), all
        read in one batch (with their views, `ink_views`, when that is on)."""
        n_views = len(VIEWS) + 1 if self.ink_views else 1
        views = [v for w in words for v in (ink_views(w) if self.ink_views else [w])]
        feats = [self.features(v) for v in views]
        keep = [k for k in range(len(words)) if all(len(f) for f in feats[k * n_views:(k + 1) * n_views])]
        lps = self._batch_log_probs([f for k in keep for f in feats[k * n_views:(k + 1) * n_views]])
        lps = [self._restrict(lp, charset) for lp in lps]
        read = {k: read_views(self.decoder, self.ckpt.alphabet, lps[j * n_views:(j + 1) * n_views], self.search_views) for j, k in enumerate(keep)}
        return [read.get(k, []) for k in range(len(words))]

    @torch.inference_mode()
    def _batch_log_probs(self, feats: list[np.ndarray]) -> list[torch.Tensor]:
        """Per-frame log-probabilities of several feature sequences, one padded batch."""
        if not feats:
            return []
        lengths = torch.tensor([len(f) for f in feats])
        x = torch.zeros(len(feats), int(lengths.max()), feats[0].shape[1])
        for k, f in enumerate(feats):
            x[k, : len(f)] = torch.from_numpy(f)
        lp, out_len = self.model(x.to(self.device, self.dtype), lengths)
        lp = lp.float().cpu()
        return [lp[k, : int(out_len[k])] for k in range(len(feats))]

    def check_label(self, sample: Ink | np.ndarray, label: str) -> LabelCheck:
        """Whether `label` could be what `sample` holds, by the model's own likelihoods: a
        person who writes "horse" for the prompt "timing" should hear of it before it teaches
        the model. The label is taken as training takes it (speech: normalised); one with
        characters the model does not know is not judged (excess 0)."""
        lp = self.log_probs(self.features(sample)) if len(sample) else None
        if self.modality == Modality.HANDWRITING:
            reading = self.recognize(sample).text  # with its views and line splitting, as shown
        else:
            hyps = self._decode_lp(lp, None) if lp is not None and len(lp) else []
            reading = hyps[0].text if hyps else ""
        known = set(self.ckpt.alphabet.chars)
        target = score_text(label, self.modality)
        if lp is None or not len(lp) or not target or not set(target) <= known:
            return LabelCheck(reading, 0.0)
        said = "".join(c for c in " ".join(reading.split()) if c in known)  # a line break is no character of the model's
        ll_label, ll_read = ctc_log_likelihood(lp, [target, said], self.ckpt.alphabet)
        return LabelCheck(reading, (ll_read - ll_label) / len(target))

    def recognize_partial(self, audio: np.ndarray, charset: str | None = None) -> Recognition:
        """A reading of an utterance still being spoken. With a pretrained-encoder front end,
        when `audio` extends the audio of the previous call, the encoder frames already final
        are reused (recognizers.streaming.FrameCache), and so are the head's outputs for frames
        seconds from the end (HeadCache), so a partial 20 s into an utterance costs about what
        one 5 s in does. Otherwise, and for the final reading, use `recognize`."""
        frontend = getattr(self.ckpt.feature_config, "frontend", "logmel")
        if self.modality != Modality.SPEECH:
            return self.recognize(audio, charset)
        t0 = time.perf_counter()
        if frontend == "logmel":  # no encoder frames to keep: the recording read once (no speed views)
            return Recognition(self._decode(self.features(audio), charset), (time.perf_counter() - t0) * 1000)
        if self._frame_cache is None:
            from recognizers.encoder import get_encoder
            from recognizers.streaming import FrameCache, HeadCache

            self._frame_cache = FrameCache(get_encoder(frontend))
            self._head_cache = HeadCache(self)
        feats = self._frame_cache.frames(audio)
        hyps = self._decode_lp(self._head_cache.log_probs(feats, self._frame_cache.generation), charset) if len(feats) else []
        return Recognition(hyps, (time.perf_counter() - t0) * 1000)

    def _read(self, sample: Ink | np.ndarray, charset: str | None) -> list[Hypothesis]:
        if self.modality == Modality.HANDWRITING and self.ink_views:
            return next(iter(self._read_words([sample], charset)), [])
        if self.modality == Modality.SPEECH and self.speed_views and len(sample):
            return self._read_speeds(np.asarray(sample, np.float32), charset)
        return self._decode(self.features(sample), charset)

    def _read_speeds(self, audio: np.ndarray, charset: str | None) -> list[Hypothesis]:
        """Audio read as recorded and played at each speed of `speed_views`, the candidates
        ranked over the views (read_views)."""
        own = self.features(audio)
        if not len(own):
            return []
        feats = [own] + [f for f in (self.features(speed_perturb(audio, s)) for s in self.speed_views) if len(f)]
        # each view alone, not in a padded batch, so the recording's log-probs are those of a one-view reading
        lps = [self._restrict(self.log_probs(f), charset) for f in feats]
        return read_views(self.decoder, self.ckpt.alphabet, lps)

    def _restrict(self, lp: torch.Tensor, charset: str | None) -> torch.Tensor:
        return restrict(lp, self.ckpt.alphabet.chars, CHARSETS.get(charset, charset)) if charset else lp

    def _decode(self, feats: np.ndarray, charset: str | None) -> list[Hypothesis]:
        if len(feats) == 0:
            return []
        return self._decode_lp(self.log_probs(feats), charset)

    def _decode_lp(self, lp: torch.Tensor, charset: str | None) -> list[Hypothesis]:
        return self.decoder.decode(self._restrict(lp, charset))

    def transcribe_long(self, source: str | os.PathLike | Iterable[np.ndarray], max_len_s: float = MAX_UTTERANCE_S) -> Iterator[Segment]:
        """Segments of a recording of any length, in order, as they are read.

        `source` is an audio file (streamed block by block) or an iterable of mono float32
        blocks at 16 kHz. A recording no longer than `max_len_s` is read whole, exactly as
        `recognize` reads it; a longer one is cut at pauses by the voice-activity detector
        the microphone uses (and at `max_len_s` at most), so memory stays flat however long
        the file. The CLI, the app's *Transcribe file...* and evaluation all come here.
        """
        if self.modality != Modality.SPEECH:
            raise ValueError("transcribe_long reads audio: this is a handwriting model")
        blocks = iter_audio_blocks(source) if isinstance(source, (str, os.PathLike)) else iter(source)
        head: list[np.ndarray] = []  # audio until it is longer than max_len_s
        head_len, limit = 0, int(max_len_s * SAMPLE_RATE)
        seg: UtteranceSegmenter | None = None
        for block in blocks:
            if seg is None:
                head.append(np.asarray(block, np.float32).reshape(-1))
                head_len += len(head[-1])
                if head_len <= limit:
                    continue
                seg = UtteranceSegmenter(partial_every_ms=float("inf"), max_utterance_s=max_len_s)
                pending, head = head, []
                for b in pending:
                    yield from self._segments(seg.feed(b))
            else:
                yield from self._segments(seg.feed(block))
        if seg is None:
            audio = np.concatenate(head) if head else np.zeros(0, np.float32)
            if len(audio):
                yield Segment(0.0, len(audio) / SAMPLE_RATE, self.recognize(audio))
            return
        yield from self._segments(seg.finish("end of file"))

    def _segments(self, events: list[SegEvent]) -> Iterator[Segment]:
        for ev in events:
            if ev.kind == "end" and ev.audio is not None and len(ev.audio):
                start = ev.start_pos / SAMPLE_RATE
                yield Segment(start, start + len(ev.audio) / SAMPLE_RATE, self.recognize(ev.audio))

    def set_decoder(self, settings: DecoderSettings | str) -> None:
        """Switch decoding (greedy, prefix, beam, beam-free) without reloading the model."""
        self.decoder = make_decoder(settings, self.ckpt.alphabet, self.modality)

    def describe(self) -> str:
        info = self.ckpt.info
        name = info.get("name") or (Path(self.path).stem if self.path else self.modality)
        return f"{name} ({self.device}{'; ' + self.device_note if self.device_note else ''})"
