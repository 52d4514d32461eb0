"""The demo county: Wyvernshire, a fictional island county in the North Sea.

:func:`generate` writes every input the tool reads (small areas, the need profile, a
service directory, children's centres, a postcode lookup, roads and candidate sites) from
one seed, so a demo run, the tests and the documentation work without real data; and
``places.csv``, its gazetteer of towns and villages for the board map's search. The
county lies offshore in British National Grid (eastings 600-660 km, northings 465-525 km:
open sea east of Yorkshire), its codes start with ``X`` (never an ONS code), its postcodes
with ``Q`` (no UK postcode area does), its phone numbers are in Ofcom's drama range and its
e-mail addresses end in ``@example.org``, so it cannot be mistaken for a real place.

Four true stories are planted for the analysis to find; :func:`planted` returns the
identifiers of each:

- ``thin_district``: one district with much less provision per child than the rest,
  despite average need: help within reach, but too few places;
- ``rural_areas``: a rural stretch more than 10 km from any children's centre or family
  support service;
- ``estate_areas``: a deprived estate with high domestic abuse need and no domestic abuse
  service within 6 km, while every other town has one;
- ``critical_centre``: the only children's centre of a populous town, the next centre more
  than 8 km away.

The modules of this package, from the bottom up: ``geometry`` (where the county lies,
point arithmetic), ``land`` (outline, towns, villages, and the gazetteer of their names
that the map's search reads), ``areas`` (small areas and
districts), ``people`` (need, the deprived estates, the thin district), ``postcodes``,
``stories`` (the planted stories' distances, identifiers and checks), ``vocabulary`` and
``providers`` (invented names), ``centres``, ``services``, ``sites``, ``roads``,
``readme`` (figures for the template ``README.md.j2``), ``county`` (every table from one
seed) and ``files`` (writing them). Only the names in ``__all__`` are public.

Example
-------
>>> from pathlib import Path
>>> paths = generate(Path("data/demo"))          # doctest: +SKIP
>>> planted()["critical_centre"]                 # doctest: +SKIP
'C023'
"""

from __future__ import annotations

__all__ = ["DEFAULT_SEED", "generate", "generate_extracts", "planted", "planted_extracts"]

import copy
import functools
from pathlib import Path
from typing import Any

from earlyhelp.demo.county import build_county
from earlyhelp.demo.extracts import build_extracts, write_extracts
from earlyhelp.demo.files import write_county

DEFAULT_SEED = 2011  # Munro


def generate(out_dir: Path, *, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the demo county files into out_dir; return the paths written.

    Deterministic: the same seed gives byte-identical files. Files are written to a
    temporary name and renamed into place. See the ``README.md`` written beside them for
    every file, its columns and the planted stories.
    """
    return write_county(build_county(seed), Path(out_dir))


def planted(seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Identifiers of the planted stories of the county generated from ``seed``.

    Keys: ``thin_district`` (district code), ``rural_areas`` (area codes more than 10 km
    from any children's centre or family support), ``estate_areas`` (area codes of the
    deprived estate), ``critical_centre`` (centre id), and for convenience
    ``thin_district_name``, ``estate_town``, ``critical_town`` and
    ``critical_reach_areas``. Computed once per seed (a few seconds) and cached; each call
    returns a fresh copy, so changing it does not change the cache.
    """
    return copy.deepcopy(_planted_cached(seed))


@functools.lru_cache(maxsize=4)
def _planted_cached(seed: int) -> dict[str, Any]:
    return build_county(seed).planted


def generate_extracts(out_dir: Path, *, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the county's case-system extract, frontline settings, consultation points,
    training and fictional national tables into out_dir; return the paths written.

    Built from the county of ``seed`` (read only) with a random stream of their own, so
    :func:`generate`'s files are unchanged by them; ``README-extracts.md`` describes them
    and their planted stories (``earlyhelp demo-data`` writes both).
    """
    county = build_county(seed)
    return write_extracts(build_extracts(county, seed), county.areas, Path(out_dir))


def planted_extracts(seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Identifiers of the extracts' planted stories: ``stepup_district`` (district code),
    ``rereferral_lead`` (lead organisation), ``far_settings`` (site ids), ``council``
    (Wyvernshire's code in the national tables) and ``council_neighbours`` (DfE numbers)."""
    return copy.deepcopy(_extracts_planted_cached(seed))


@functools.lru_cache(maxsize=4)
def _extracts_planted_cached(seed: int) -> dict[str, Any]:
    return build_extracts(build_county(seed), seed).planted
