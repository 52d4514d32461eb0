"""Safety of outside text: one escaping function for everything a map shows.

Service names, providers, opening times, area names and even labels from config are
*outside text*: a directory export can hold ``<img src=x onerror=...>`` or
``{{ self.__init__.__globals__ }}``. On its way into a map such text meets three
interpreters:

1. the browser's HTML parser (Leaflet sets popup, tooltip and layer-control content as
   ``innerHTML``);
2. Jinja: branca renders every element's output a *second* time as a template when the
   page is assembled, so ``{{ 7*7 }}`` in a name would be evaluated (and could run
   Python) when the map is saved;
3. JavaScript template literals: folium wraps popup HTML in backticks, where a backtick
   ends the string and ``${...}`` runs code.

:func:`escape_text` makes a string inert for all three at once, and every piece of outside
text goes through it before it reaches folium, branca or a template. Its output is an
HTML fragment that shows the original text literally. Never escape twice.

Example
-------
>>> escape_text('<b>Tots & Teens</b> {{ 7*7 }}')
'&lt;b&gt;Tots &amp; Teens&lt;/b&gt; &#123;&#123; 7*7 &#125;&#125;'
"""

from __future__ import annotations

__all__ = [
    "check_colour",
    "district_files",
    "escape_text",
    "escape_texts",
    "safe_filename",
    "script_json",
    "search_key",
    "search_keys",
]

import json
import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import numpy as np

from earlyhelp.errors import InputError
from earlyhelp.validation import UNPRINTABLE, file_stem, name_key

# Characters that Jinja or a JavaScript template literal would interpret, as HTML
# character references (the browser shows them as the characters themselves).
_NEUTRAL = str.maketrans(
    {
        "{": "&#123;",
        "}": "&#125;",
        "`": "&#96;",
        "$": "&#36;",
        "\\": "&#92;",
    }
)
# html.escape(quote=True) and then _NEUTRAL, in one pass (translate never rescans what
# it wrote, so "&" becoming "&amp;" first and "{" becoming "&#123;" after still holds)
_ESCAPE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
    | {chr(k): v for k, v in _NEUTRAL.items()}
)
# Control characters, bidirectional overrides (which can make text display differently
# from what it is), zero-width characters and line/paragraph separators.
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(value != value)  # true only for NaN-like values
    except TypeError:  # pd.NA cannot be a truth value
        return True
    except ValueError:  # an array
        return False


def escape_text(value: Any, *, max_chars: int | None = None) -> str:
    """Outside text as an inert HTML fragment that shows it literally.

    Safe in HTML text and quoted attributes, inside JSON and JavaScript strings
    (including template literals) and through any number of Jinja renderings: ``& < > " '``
    become HTML character references, and so do ``{ } ` $ \\``. Control characters,
    bidirectional overrides and zero-width characters become spaces, runs of white space
    become one space, and text longer than ``max_chars`` is cut with an ellipsis.

    Missing values (``None``, NaN, ``pd.NA``) give an empty string.
    """
    if type(value) is str and _plain(value):
        text = value  # printable ASCII, single-spaced: nothing to normalise or fold
    elif _is_missing(value):
        return ""
    else:
        text = unicodedata.normalize("NFC", str(value))
        text = " ".join(UNPRINTABLE.sub(" ", text).split())
    if max_chars is not None and len(text) > max_chars:
        text = text[: max(max_chars - 1, 0)].rstrip() + "\u2026"
    return text.translate(_ESCAPE)


# escape_text's plain case as an RE2 pattern (Arrow): printable ASCII words, one space
# between them, none around; and _ESCAPE as replacements made one after the other ("&"
# first, so no reference written is escaped again)
_PLAIN_RE2 = r"^(?:[!-~]+(?: [!-~]+)*)?$"
_REPLACEMENTS = sorted(((chr(k), v) for k, v in _ESCAPE.items()), key=lambda kv: kv[0] != "&")


def escape_texts(values: Iterable[Any], *, max_chars: int | None = None) -> list[str]:
    """:func:`escape_text` of every value, exactly (``[escape_text(v, max_chars=...) for v
    in values]``), for a column of many: the common case (plain printable ASCII,
    single-spaced and short enough) is escaped by Arrow column operations, the rest by
    one :func:`escape_text` call per distinct text (or per value, for what is not text).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    cells = np.empty(0, dtype=object) if values is None else _cells(values)
    out = np.empty(len(cells), dtype=object)
    done = np.zeros(len(cells), dtype=bool)
    where = np.flatnonzero([type(v) is str for v in cells])
    if len(where):
        text = pa.array(cells[where], type=pa.large_string())
        ok = pc.match_substring_regex(text, _PLAIN_RE2)
        if max_chars is not None:  # longer text is cut (by escape_text, below)
            ok = pc.and_(ok, pc.less_equal(pc.utf8_length(text), max_chars))
        plain = np.asarray(ok.to_numpy(zero_copy_only=False), dtype=bool)
        escaped = pc.filter(text, pa.array(plain))
        for char, reference in _REPLACEMENTS:
            escaped = pc.replace_substring(escaped, char, reference)
        out[where[plain]] = escaped.to_numpy(zero_copy_only=False)
        done[where[plain]] = True
    memo: dict[str, str] = {}
    for i in np.flatnonzero(~done):
        value = cells[i]
        if type(value) is not str:  # 1, 1.0 and True are equal keys but different texts
            out[i] = escape_text(value, max_chars=max_chars)
        elif value in memo:
            out[i] = memo[value]
        else:
            out[i] = memo[value] = escape_text(value, max_chars=max_chars)
    return out.tolist()


def _cells(values: Iterable[Any]) -> np.ndarray:
    """A column's values as a one-dimensional object array (a cell may hold a list)."""
    if hasattr(values, "to_numpy"):
        return np.asarray(values.to_numpy(dtype=object))
    items = list(values)
    cells = np.empty(len(items), dtype=object)
    cells[:] = items
    return cells


def _plain(text: str) -> bool:
    """Printable ASCII with no leading, trailing or repeated spaces (most directory text):
    NFC leaves it as it is and it holds nothing unprintable or to fold."""
    return (
        text.isascii()
        and text.isprintable()
        and "  " not in text
        and not text.startswith(" ")
        and not text.endswith(" ")
    )


def script_json(data: Any) -> str:
    """JSON for a ``<script>`` element: ``</`` written ``<\\/``, ``<!`` as ``\\u003c!``.

    The HTML parser ends a script at ``</script`` and changes state at ``<!--``; with
    these two escapes (both valid JSON) neither can occur whatever the data holds. Strings
    in ``data`` must already have been through :func:`escape_text` (which leaves no ``<``
    at all); this guards the script element itself, around our own markup.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("</", "<\\/")
        .replace("<!", "\\u003c!")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def search_key(value: Any) -> str:
    """Lower-case letters and digits of ``value``, accents removed, words single-spaced.

    The search box compares keys, so its index never holds outside text at all; the
    browser makes the same key from what the user types.
    """
    if type(value) is str and value.isascii():  # name_key's result, without NFKD's work
        return " ".join(_NOT_ALNUM.sub(" ", value.lower()).split())
    return "" if _is_missing(value) else name_key(value)


def search_keys(values: Iterable[Any]) -> list[str]:
    """:func:`search_key` of every value, exactly: ASCII text by Arrow column operations
    (lower case, each run of other characters one space, none around), the rest one
    :func:`search_key` call each."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cells = _cells(values)
    out = np.empty(len(cells), dtype=object)
    done = np.zeros(len(cells), dtype=bool)
    where = np.flatnonzero([type(v) is str for v in cells])
    if len(where):
        text = pa.array(cells[where], type=pa.large_string())
        ascii_ = np.asarray(pc.string_is_ascii(text).to_numpy(zero_copy_only=False), dtype=bool)
        keys = pc.ascii_lower(pc.filter(text, pa.array(ascii_)))
        keys = pc.utf8_trim(pc.replace_substring_regex(keys, "[^a-z0-9]+", " "), " ")
        out[where[ascii_]] = keys.to_numpy(zero_copy_only=False)
        done[where[ascii_]] = True
    for i in np.flatnonzero(~done):
        out[i] = search_key(cells[i])
    return out.tolist()


def check_colour(value: str, *, where: str) -> str:
    """Return ``value`` if it is a hex colour (``#1b9e77`` or ``#abc``), else raise.

    Colours are written into style attributes, so anything else is refused.
    """
    if not isinstance(value, str) or not _COLOUR.fullmatch(value):
        raise InputError(f'{where}: colour {value!r} is not a hex colour; write it like "#1b9e77"')
    return value


def safe_filename(value: Any, *, default: str = "map") -> str:
    """A file name stem of letters, digits, ``-`` and ``_`` made from outside text.

    Path separators and dots never survive, so a district called ``../../x`` cannot
    write outside the output folder. Two values may give one stem (``E07000084`` and
    ``e07000084``): :func:`district_files` refuses that for the district maps.
    """
    return file_stem(value, default=default)


def district_files(codes: Any) -> dict[str, str]:
    """District code -> its map's file name (``district-<code>.html``), or an
    :class:`InputError` naming two codes that would share one file (loading the areas
    refuses them; this keeps a map redrawn from an older run's results just as safe)."""
    files: dict[str, str] = {}
    taken: dict[str, str] = {}
    for code in dict.fromkeys(str(c) for c in codes if not _is_missing(c)):
        name = f"district-{safe_filename(code, default='district')}.html"
        if name in taken:
            raise InputError(
                f"district codes '{taken[name]}' and '{code}' would share one map file, "
                f"{name}, so one district's map would replace the other's; write each "
                "district's code the same way in every row of the areas file, giving "
                "different districts codes that differ in more than case, spaces or "
                "punctuation, and run again"
            )
        taken[name] = code
        files[code] = name
    return files
