"""Outputs: files written atomically, and the output folder put in place whole.

``writing`` writes one file at a time (CSV, GeoPackage, workbook, JSON, the manifest),
each atomically; ``folders`` stages a whole output folder and puts it in place.
"""

from earlyhelp.outputs.folders import staged_dir
from earlyhelp.outputs.writing import (
    atomic_path,
    check_not_inputs,
    header_with_unit,
    library_versions,
    run_manifest,
    spreadsheet_safe,
    write_csv,
    write_gpkg,
    write_json,
    write_workbook,
)

__all__ = [
    "atomic_path",
    "check_not_inputs",
    "header_with_unit",
    "library_versions",
    "run_manifest",
    "spreadsheet_safe",
    "staged_dir",
    "write_csv",
    "write_gpkg",
    "write_json",
    "write_workbook",
]
