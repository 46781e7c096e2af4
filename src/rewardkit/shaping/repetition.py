"""N-gram repetition penalty."""

from __future__ import annotations

#: Words read from one response at most (DESIGN.md rule 5: cap input sizes before parsing).
MAX_WORDS = 200_000


def ngram_repetition_penalty(text: str, ngram_size: int = 3, max_penalty: float = -1.0) -> float:
    """Penalty for repeated word n-grams: ``r = p_max (1 - unique_ngrams / ngrams)``.

    Words are the lower-cased, whitespace-separated tokens of ``text``. A text with fewer than
    ``ngram_size`` words (including the empty text) gets 0. Only the first :data:`MAX_WORDS`
    words are read.

    Source: Yeo et al., "Demystifying Long Chain-of-Thought Reasoning in LLMs" (arXiv
    2502.03373) Appendix C.2; open-r1 ``get_repetition_penalty_reward`` (``n = 3``,
    ``p_max = -1``).

    Args:
        text: the response.
        ngram_size: ``n``.
        max_penalty: ``p_max``, must be ``<= 0``.

    Returns:
        A value in ``[max_penalty, 0]``.
    """
    if ngram_size < 1:
        raise ValueError("ngram_size must be >= 1")
    if max_penalty > 0:
        raise ValueError(f"max_penalty {max_penalty} must not be positive")
    words = text.lower().split(maxsplit=MAX_WORDS)[:MAX_WORDS]
    total = len(words) - ngram_size + 1
    if total <= 0:
        return 0.0
    unique = len(set(zip(*(words[i:] for i in range(ngram_size)), strict=False)))  # shifted views
    return max_penalty * (1.0 - unique / total)


__all__ = ["MAX_WORDS", "ngram_repetition_penalty"]
