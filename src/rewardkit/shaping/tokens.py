"""Response length in tokens of a local Hugging Face tokenizer, or in characters."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path


@functools.lru_cache(maxsize=8)
def _load_tokenizer(path: str) -> Callable[[str], int]:
    """A token counter for the local Hugging Face tokenizer at ``path`` (never downloads)."""
    p = Path(path)
    tok_file = p / "tokenizer.json" if p.is_dir() else p
    if tok_file.is_file() and tok_file.suffix == ".json":
        try:
            import tokenizers
        except ImportError:
            pass
        else:
            tok = tokenizers.Tokenizer.from_file(str(tok_file))
            return lambda text: len(tok.encode(text, add_special_tokens=False).ids)
    try:
        from transformers import AutoTokenizer
    except ImportError:
        from rewardkit._extras import MissingExtraError

        raise MissingExtraError(
            f"counting tokens with the tokenizer at {path} needs the 'tokenizers' or 'transformers' "
            "package: pip install 'rewardkit[models]'"
        ) from None
    auto = AutoTokenizer.from_pretrained(path, local_files_only=True)
    return lambda text: len(auto.encode(text, add_special_tokens=False))


def measure_length(text: str, tokenizer: str | None = None) -> tuple[int, str]:
    """Length of ``text`` in tokens of the local tokenizer at ``tokenizer``, else in characters.

    Returns:
        ``(length, unit)`` with unit ``"tokens"`` or ``"chars"``.
    """
    if tokenizer:
        return _load_tokenizer(tokenizer)(text), "tokens"
    return len(text), "chars"


__all__ = ["measure_length"]
