"""Colour classes for choropleth layers: mapclassify bins and colour-blind-safe palettes.

A measure column arrives already disclosure-controlled: numbers, suppressed cells (the
suppression symbol, or any other non-numeric text) and missing cells (NaN, empty, ``..``).
:func:`classify` puts each area in a colour class, or marks it ``SUPPRESSED`` or
``NO_DATA``, and writes the text every area shows for the measure.

Methods are chosen by name from :data:`CLASSIFIERS` (mapclassify's classes), so
``MapConfig.classification`` is validated against its keys.
"""

from __future__ import annotations

__all__ = [
    "CATEGORICAL_COLOURS",
    "CLASSIFIERS",
    "NO_DATA",
    "NO_DATA_TEXT",
    "SUPPRESSED",
    "SUPPRESSED_TEXT",
    "Classes",
    "MapLayer",
    "classify",
    "read_measure",
    "sequential_colours",
]

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import mapclassify
import numpy as np
import pandas as pd
from branca.utilities import color_brewer

from earlyhelp.errors import ConfigError, InputError
from earlyhelp.maps.safety import check_colour, escape_text, escape_texts

CLASSIFIERS = {
    "quantiles": mapclassify.Quantiles,
    "natural_breaks": mapclassify.NaturalBreaks,
}
SUPPRESSED = -1  # class code of a suppressed (small number) cell
NO_DATA = -2  # class code of a missing cell
SUPPRESSED_TEXT = "suppressed (small number)"
NO_DATA_TEXT = "no data"
_MISSING_MARKERS = frozenset({"", "..", "nan", "NaN", "<NA>", "None"})

# Okabe & Ito's palette, distinguishable with the common forms of colour blindness;
# ordered so the first categories (the most urgent, by convention) are the strongest.
CATEGORICAL_COLOURS = (
    "#D55E00",
    "#E69F00",
    "#0072B2",
    "#56B4E9",
    "#009E73",
    "#CC79A7",
    "#F0E442",
    "#999999",
)
# ColorBrewer sequential schemes (colour-blind safe): dark always means more concern.
_WORSE_HIGH = "YlOrRd"  # higher values are worse: dark red = high
_WORSE_LOW = "PuBu"  # higher values are better: reversed, dark blue = low


@dataclass(frozen=True)
class MapLayer:
    """One choropleth layer of the board map.

    Parameters
    ----------
    column
        The column of ``areas`` to colour by.
    label
        What the layer shows, in plain words (``"Need index"``); names the layer in the
        layer list and in tooltips.
    kind
        ``"sequential"`` (numbers in colour classes) or ``"categorical"`` (named
        classes, such as priority gap classes).
    legend_title
        Title of the layer's legend; defaults to ``label``.
    fmt
        How a number is written, as a ``str.format`` pattern (``"{:,.0f}"``,
        ``"{:.0%}"``, ``"{:.1f} km"``). Sequential layers only.
    higher_is_worse
        Whether a higher value means more concern. The darkest colour always marks the
        most concern, so a ``False`` layer (access) is dark where the value is low.
    categories_order
        Categorical layers: the categories in legend order, most urgent first. Other
        values are refused. ``None`` orders them alphabetically.
    colours
        Hex colours: one per class (sequential, at least ``MapConfig.classes``) or one
        per category. ``None`` uses a colour-blind-safe default.
    note
        One plain sentence under the legend title (what the measure is, its source).
    """

    column: str
    label: str
    kind: str = "sequential"
    legend_title: str = ""
    fmt: str = "{:,.0f}"
    higher_is_worse: bool = True
    categories_order: tuple[str, ...] | None = None
    colours: tuple[str, ...] | None = None
    note: str = ""

    def __post_init__(self) -> None:
        where = f"map layer '{self.column}'"
        if self.kind not in ("sequential", "categorical"):
            raise ConfigError(
                f"{where}: kind is '{self.kind}'; choose 'sequential' or 'categorical'"
            )
        if not self.label:
            raise ConfigError(f"{where}: give it a label in plain words")
        if self.colours is not None:
            object.__setattr__(self, "colours", tuple(self.colours))
            for colour in self.colours:
                check_colour(colour, where=where)
        if self.categories_order is not None:
            object.__setattr__(self, "categories_order", tuple(self.categories_order))
        try:
            self.fmt.format(1.5)
        except (ValueError, IndexError, KeyError) as exc:
            raise ConfigError(
                f"{where}: fmt {self.fmt!r} cannot format a number ({exc}); "
                'write it like "{:,.0f}" or "{:.1%}"'
            ) from None

    @property
    def title(self) -> str:
        """The legend title (``legend_title``, else ``label``)."""
        return self.legend_title or self.label


@dataclass(frozen=True)
class Classes:
    """The classes of one layer, aligned to the areas.

    ``codes`` holds each area's class (0 = first legend entry), ``SUPPRESSED`` or
    ``NO_DATA``; ``text`` what each area shows (escaped HTML); ``colours`` and ``labels``
    (escaped) the legend entries in order; ``counts`` how many areas each entry has.
    """

    codes: np.ndarray
    text: list[str]
    colours: tuple[str, ...]
    labels: tuple[str, ...]
    counts: tuple[int, ...]
    suppressed: int
    no_data: int
    method: str


def read_measure(values: pd.Series, *, symbol: str = "*") -> tuple[np.ndarray, np.ndarray]:
    """Numbers of a published column, and which cells are suppressed.

    Returns ``(numbers, suppressed)``: ``numbers`` is float with NaN wherever there is
    no number; ``suppressed`` is True for non-numeric cells other than the missing
    markers (NaN, ``None``, empty, ``..``). ``symbol`` is always suppressed.
    """
    raw = pd.Series(values, copy=False)
    if raw.dtype.kind in "fiu" and not _number_text(symbol):  # numbers only: no text to read
        numbers = np.array(raw.to_numpy(dtype=float), dtype=float)
        odd = ~np.isfinite(numbers)
        suppressed = odd & ~np.isnan(numbers)  # infinite: not a number, nor missing
        numbers[odd] = np.nan
        return numbers, suppressed
    numbers = pd.to_numeric(raw, errors="coerce")
    numbers = np.asarray(numbers.astype("Float64").to_numpy(dtype=float, na_value=np.nan))
    numbers[~np.isfinite(numbers)] = np.nan
    text = raw.astype("string").str.strip()
    missing = raw.isna().to_numpy() | text.isin(_MISSING_MARKERS).fillna(True).to_numpy()
    suppressed = np.isnan(numbers) & ~missing
    suppressed |= (text == symbol).fillna(False).to_numpy()
    return numbers, suppressed


def _number_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def sequential_colours(k: int, *, higher_is_worse: bool) -> tuple[str, ...]:
    """``k`` ColorBrewer colours from light to dark concern, in value order."""
    scheme = _WORSE_HIGH if higher_is_worse else _WORSE_LOW
    if k >= 3:
        colours = color_brewer(scheme, k)
    else:
        three = color_brewer(scheme, 3)
        colours = three[1:] if k == 2 else three[2:]
    colours = list(colours)
    return tuple(colours if higher_is_worse else colours[::-1])


def _format(fmt: str, value: float) -> str:
    return escape_text(fmt.format(value))


def _texts(fmt: str, numbers: np.ndarray, codes: np.ndarray) -> list[str]:
    """What each area shows: its number written by ``fmt`` (each distinct number written
    once: areas share values), else why it has none."""
    text = np.where(codes == SUPPRESSED, SUPPRESSED_TEXT, NO_DATA_TEXT).astype(object)
    has = codes >= 0
    if has.any():
        # distinct by their bits, not by ==: -0.0 and 0.0 are written differently
        bits, at = np.unique(numbers[has].view(np.int64), return_inverse=True)
        written = np.array([_format(fmt, v) for v in bits.view(np.float64)], dtype=object)
        text[has] = written[at.ravel()]
    return text.tolist()


def _fit(numbers: np.ndarray, *, method: str, k: int) -> np.ndarray:
    """Class of each (finite) number, 0-based, through mapclassify."""
    k = min(k, len(np.unique(numbers)))
    if k <= 1:
        return np.zeros(len(numbers), dtype=int)
    classifier = CLASSIFIERS[method]
    with warnings.catch_warnings():
        # tied values can leave a class empty; classify() drops empty classes
        warnings.filterwarnings("ignore", "Not enough unique values", UserWarning)
        return _fit_seeded(classifier, numbers, method=method, k=k)


def _fit_seeded(classifier, numbers: np.ndarray, *, method: str, k: int) -> np.ndarray:
    if method == "natural_breaks":
        # NaturalBreaks runs k-means from numpy's global generator: seed it for
        # reproducible maps, then give the caller's generator state back.
        state = np.random.get_state()
        np.random.seed(2011)
        try:
            fitted = classifier(numbers, k=k)
        finally:
            np.random.set_state(state)
    else:
        fitted = classifier(numbers, k=k)
    return np.asarray(fitted.yb, dtype=int)


def classify(
    values: pd.Series,
    layer: MapLayer,
    *,
    method: str = "quantiles",
    k: int = 5,
    symbol: str = "*",
) -> Classes:
    """Colour classes, legend and display text of one layer's column.

    Sequential layers are binned by ``method`` (a key of :data:`CLASSIFIERS`) into at
    most ``k`` classes; empty classes are dropped, and each legend label gives the
    lowest and highest value in its class. Categorical layers get one class per
    category. Suppressed and missing cells get no class.
    """
    if method not in CLASSIFIERS:
        raise ConfigError(
            f"map classification '{method}' is not known; choose one of: {', '.join(CLASSIFIERS)}"
        )
    if k < 1:
        raise ConfigError(f"map classes is {k}; use a whole number of 1 or more")
    if layer.kind == "categorical":
        return _categorical(values, layer, symbol=symbol)
    numbers, suppressed = read_measure(values, symbol=symbol)
    has = ~np.isnan(numbers)
    codes = np.full(len(numbers), NO_DATA, dtype=int)
    codes[suppressed] = SUPPRESSED
    colours: tuple[str, ...] = ()
    labels: list[str] = []
    counts: list[int] = []
    if has.any():
        fitted = _fit(numbers[has], method=method, k=k)
        used = np.unique(fitted)
        compact = np.searchsorted(used, fitted)
        codes[has] = compact
        for c in range(len(used)):
            in_class = numbers[has][compact == c]
            lo, hi = _format(layer.fmt, in_class.min()), _format(layer.fmt, in_class.max())
            labels.append(lo if lo == hi else f"{lo} to {hi}")
            counts.append(len(in_class))
        if layer.colours is not None:
            if len(layer.colours) < len(used):
                raise ConfigError(
                    f"map layer '{layer.column}': {len(layer.colours)} colours for "
                    f"{len(used)} classes; give at least as many colours as classes"
                )
            colours = layer.colours[: len(used)]
        else:
            colours = sequential_colours(len(used), higher_is_worse=layer.higher_is_worse)
    return Classes(
        codes=codes,
        text=_texts(layer.fmt, numbers, codes),
        colours=tuple(colours),
        labels=tuple(labels),
        counts=tuple(counts),
        suppressed=int((codes == SUPPRESSED).sum()),
        no_data=int((codes == NO_DATA).sum()),
        method=method,
    )


def _categorical(values: pd.Series, layer: MapLayer, *, symbol: str) -> Classes:
    text = pd.Series(values, copy=False).astype("string").str.strip()
    missing = text.isna() | text.isin(_MISSING_MARKERS)
    suppressed = (text == symbol).fillna(False) & ~missing
    present = text[~missing & ~suppressed]
    order: Sequence[str]
    if layer.categories_order is not None:
        order = layer.categories_order
        unknown = sorted(set(present) - set(order))
        if unknown:
            raise InputError(
                f"map layer '{layer.column}': value(s) {unknown[:3]} are not in "
                f"categories_order {list(order)}; add them to categories_order"
            )
    else:
        order = sorted(set(present))
    colours = layer.colours or CATEGORICAL_COLOURS
    if len(colours) < len(order):
        raise ConfigError(
            f"map layer '{layer.column}': {len(order)} categories but {len(colours)} "
            "colours; give one colour per category in colours"
        )
    position = {name: i for i, name in enumerate(order)}
    codes = np.full(len(text), NO_DATA, dtype=int)
    codes[suppressed.to_numpy()] = SUPPRESSED
    mask = (~missing & ~suppressed).to_numpy()
    codes[mask] = [position[v] for v in text[mask]]
    shown = escape_texts(text.fillna(""))
    display = [
        shown[i] if c >= 0 else (SUPPRESSED_TEXT if c == SUPPRESSED else NO_DATA_TEXT)
        for i, c in enumerate(codes)
    ]
    return Classes(
        codes=codes,
        text=display,
        colours=tuple(colours[: len(order)]),
        labels=tuple(escape_text(name) for name in order),
        counts=tuple(int((codes == i).sum()) for i in range(len(order))),
        suppressed=int((codes == SUPPRESSED).sum()),
        no_data=int((codes == NO_DATA).sum()),
        method="categories",
    )
