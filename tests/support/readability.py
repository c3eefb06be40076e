"""LIX, the Scandinavian readability index (Björnsson 1968): words per sentence plus the
percentage of long words (more than six letters). Easy-read Danish aims at 25 or less
(children's books score 20–25; newspapers 40–50)."""

from __future__ import annotations

import re

WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
SENTENCE_END = re.compile(r"[.!?:]+(?:\s|$)")


def lix(text: str) -> float:
    """LIX of `text`; a text without a full stop is one sentence."""
    words = WORD.findall(text)
    if not words:
        return 0.0
    sentences = max(1, len(SENTENCE_END.findall(text.strip())))
    long_words = sum(len(w) > 6 for w in words)
    return len(words) / sentences + 100 * long_words / len(words)
