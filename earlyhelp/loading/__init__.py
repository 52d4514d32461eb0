"""Loading: read areas, need, services, centres, postcodes and roads into the data model."""

from earlyhelp.loading.services import (
    STUDY_AREA_TOLERANCE_M,
    InputRecord,
    Inputs,
    file_sha256,
    load_inputs,
    read_table,
    read_vector,
)

__all__ = [
    "STUDY_AREA_TOLERANCE_M",
    "InputRecord",
    "Inputs",
    "file_sha256",
    "load_inputs",
    "read_table",
    "read_vector",
]
