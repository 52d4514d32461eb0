"""earlyhelp: map early help for children and families against local need.

The pipeline: load and validate (:mod:`earlyhelp.loading`) -> distances
(:mod:`earlyhelp.distance`) -> accessibility -> sufficiency (:func:`earlyhelp.assessment.assess`)
-> publish (:mod:`earlyhelp.publish`); :mod:`earlyhelp.commands` runs each command and
docs/architecture.md draws the layers.

Strings in pandas
    pandas 3 stores text in Arrow arrays whenever pyarrow is installed (earlyhelp installs
    it to write Parquet), and those behave differently from Python strings in places
    earlyhelp's checks rely on. Importing earlyhelp sets pandas' ``mode.string_storage``
    to ``"python"``, pandas' own choice without pyarrow, as soon as pandas is imported
    (and without importing it: ``earlyhelp offer`` from an index never loads pandas).
"""

import sys
from typing import Any

__version__ = "0.1.0"


def _python_strings(pandas: Any) -> None:
    pandas.set_option("mode.string_storage", "python")


class _WhenPandasLoads:
    """An import hook that sets the string storage right after pandas is imported."""

    def find_spec(self, name, path=None, target=None):
        if name != "pandas":
            return None
        from importlib.util import find_spec

        sys.meta_path.remove(self)  # find pandas the ordinary way, once
        spec = find_spec("pandas")
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            _python_strings(module)

        spec.loader.exec_module = exec_module
        return spec


if "pandas" in sys.modules:
    _python_strings(sys.modules["pandas"])
else:
    sys.meta_path.insert(0, _WhenPandasLoads())
