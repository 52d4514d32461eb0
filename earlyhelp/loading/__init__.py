"""Loading: read areas, need, services, centres, postcodes and roads into the data model.

Each reader maps the user's headers to canonical names (``[<input>.columns]`` in config),
parses and checks every value into a :class:`~earlyhelp.validation.ValidationReport`,
and reprojects geometry to the analysis CRS. :func:`load_inputs` runs them all, then
raises once if any error was found. Inputs are only ever read.

- :mod:`~earlyhelp.loading.tables`: reading any table or vector file, file hashes and
  what the manifest says of each input (:class:`InputRecord`).
- :mod:`~earlyhelp.loading.areas`: the small areas and the need profile.
- :mod:`~earlyhelp.loading.services`: services and children's centres, and placing them.
- :mod:`~earlyhelp.loading.inputs`: :func:`load_inputs` and :class:`Inputs`, with the
  postcode lookup and the roads.

Imports run one way: inputs -> areas, services -> tables.
"""

from earlyhelp.loading.inputs import Inputs, load_inputs, load_postcodes
from earlyhelp.loading.services import STUDY_AREA_TOLERANCE_M
from earlyhelp.loading.tables import InputRecord, file_sha256, read_table, read_vector

__all__ = [
    "STUDY_AREA_TOLERANCE_M",
    "InputRecord",
    "Inputs",
    "file_sha256",
    "load_inputs",
    "load_postcodes",
    "read_table",
    "read_vector",
]
