"""Outputs: files written atomically, and the output folder put in place whole.

``writing`` writes one file at a time (CSV, GeoPackage, workbook, JSON, the manifest),
each atomically, and turns a failure to write into a :class:`WriteError` in plain words;
``folders`` stages a whole output folder and puts it in place.
"""

from earlyhelp.outputs.folders import staged_dir
from earlyhelp.outputs.writing import (
    WriteError,
    atomic_path,
    check_not_inputs,
    disk_full,
    header_with_unit,
    library_versions,
    plain_words,
    run_manifest,
    spreadsheet_safe,
    write_csv,
    write_error,
    write_gpkg,
    write_json,
    write_workbook,
)

__all__ = [
    "WriteError",
    "atomic_path",
    "check_not_inputs",
    "disk_full",
    "header_with_unit",
    "library_versions",
    "plain_words",
    "run_manifest",
    "spreadsheet_safe",
    "staged_dir",
    "write_csv",
    "write_error",
    "write_gpkg",
    "write_json",
    "write_workbook",
]
