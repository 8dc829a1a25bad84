"""One reading from several views of the same ink: the decoder's candidates for the ink
itself and the best path of every view, ranked by their CTC log-likelihood averaged over
the views (plus the decoder's own word prior, when it has a language model)."""

from __future__ import annotations

import torch

from recognizers.alphabet import Alphabet
from recognizers.decoding.confidence import cap_by_posteriors, share_floor
from recognizers.decoding.ctc import aligned_confidence, ctc_log_likelihood, greedy_path
from recognizers.decoding.hypothesis import Decoder, Hypothesis


def read_views(decoder: Decoder, alphabet: Alphabet, log_probs: list[torch.Tensor], search_views: bool = False) -> list[Hypothesis]:
    """Hypotheses, best first, for per-frame log-probabilities of several views (the ink
    itself first). With one view, or when there is only one candidate text, the decoder's
    answer as is; otherwise its n-best are ranked again with the others.

    `search_views`: where the views' best paths disagree, the lexicon search also runs on
    each other view and adds its words to the candidates (handwriting; session 27): a word
    the ink itself spells badly is often found in a slanted or narrower view's search."""
    hyps = decoder.decode(log_probs[0])
    if len(log_probs) == 1:
        return hyps
    best_paths = [alphabet.decode(greedy_path(lp)[0]) for lp in log_probs]
    texts = list(dict.fromkeys([h.text for h in hyps] + best_paths[1:]))
    found: list[str] = []
    # the free-spelling beam has no word list to look up in the views
    if search_views and getattr(decoder, "mode", None) == "lexicon" and len(set(best_paths)) > 1:
        for lp in log_probs[1:]:
            found += decoder.candidates(lp.detach().float().cpu().contiguous(), free=False)
    found = [t for t in dict.fromkeys(found) if t not in texts]
    n_own, texts = len(texts), texts + found
    if len(texts) == 1:
        return hyps
    ll = torch.stack([torch.tensor(ctc_log_likelihood(lp, texts, alphabet)) for lp in log_probs])  # (views, texts)
    # a text the ink itself cannot align is no candidate; a view too short for some text (the
    # narrow one has fewer frames) sits out, rather than vetoing that text alone; a text only
    # a view's search found must fit every view, so that it never pushes a view out
    fits = torch.isfinite(ll[0])
    fits[n_own:] &= torch.isfinite(ll[:, n_own:]).all(dim=0)
    texts, ll = [t for t, ok in zip(texts, fits.tolist()) if ok], ll[:, fits]
    ll = ll[torch.isfinite(ll).all(dim=1)]
    if not texts:
        return hyps
    ac = ll.mean(0)
    prior = getattr(decoder, "prior", None)  # the lexicon beam's language model and word score
    scores = [float(a) + (prior(t) if prior else 0.0) for a, t in zip(ac, texts)]
    ranked = sorted(zip(scores, texts), key=lambda st: -st[0])[: max(len(hyps), 1)]
    out = [Hypothesis(t, s) for s, t in ranked]
    same = next((h for h in hyps if h.text == out[0].text and h.char_confidence), None)
    if same:
        out[0].char_confidence = same.char_confidence
    elif confidence := getattr(decoder, "confidence", None):  # the decoder's own measure (the lexicon beam's)
        out[0].char_confidence = confidence(log_probs[0], out[0].text)
    else:
        out[0].char_confidence = aligned_confidence(log_probs[0], alphabet.encode(out[0].text))
    if getattr(decoder, "mode", None) == "lexicon":
        share_floor(out)
    if getattr(decoder, "word_posteriors", False):
        cap_by_posteriors(out[0], texts, scores)
    return out
