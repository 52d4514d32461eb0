"""Words: suggestions for a mistyped name, and labels inside sentences.

A leaf module: it imports nothing of earlyhelp, so every layer may use it.
"""

from __future__ import annotations

__all__ = ["did_you_mean", "label_in_text"]

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return `` (did you mean 'x'?)`` for the closest choice, or an empty string.

    Tries, in order: the same letters ignoring case, spaces and punctuation ("Area Code"
    for "area_code"); a choice that contains the word or is contained in it
    ("service_name" for "name"); then spelling (difflib).
    """
    choices = list(choices)

    def norm(s: str) -> str:
        return "".join(ch for ch in s.lower() if ch.isalnum())

    key = norm(word)
    ranked = (
        [c for c in choices if norm(c) == key],
        [c for c in choices if key and (key in norm(c) or (norm(c) and norm(c) in key))],
        difflib.get_close_matches(word, choices, n=1, cutoff=0.6),
    )
    for found in ranked:
        if found:
            return f" (did you mean '{found[0]}'?)"
    return ""


def label_in_text(label: str) -> str:
    """A label inside a sentence: first letter lower case unless it is an acronym.

    >>> label_in_text("Domestic abuse support"), label_in_text("SEND support")
    ('domestic abuse support', 'SEND support')
    """
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]
