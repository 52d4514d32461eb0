"""National comparison: the council beside its statistical neighbours and England on the
nationally collected indicators (Munro 2011, Recommendation 4), from the DfE children in
need tables as published.

- :mod:`earlyhelp.benchmark.indicators`: what is compared (:data:`INDICATORS`);
- :mod:`earlyhelp.benchmark.national`: reading the tables, finding the council and its
  neighbours (:func:`load_national`, :func:`find_council`);
- :mod:`earlyhelp.benchmark.compare`: values with 95% intervals, the neighbours' average,
  England, a funnel of every council and the trend (:func:`benchmark`).

Imports run one way: compare -> national, indicators.

Example
-------
>>> data = load_national(cfg.benchmark)                          # doctest: +SKIP
>>> result = benchmark(data, find_council(data, "E10000014"))    # doctest: +SKIP
"""

from earlyhelp.benchmark.compare import Benchmark, benchmark, indicator_values
from earlyhelp.benchmark.indicators import INDICATORS, Indicator
from earlyhelp.benchmark.national import (
    ENGLAND,
    Council,
    NationalData,
    find_council,
    load_national,
    neighbours_of,
)

__all__ = [
    "ENGLAND", "INDICATORS", "Benchmark", "Council", "Indicator", "NationalData", "benchmark",
    "find_council", "indicator_values", "load_national", "neighbours_of",
]  # fmt: skip
