"""Outputs: files written atomically, and the folders earlyhelp owns.

``writing`` writes one file at a time (CSV, GeoPackage, JSON, the manifest), each
atomically, and turns a failure to write into a :class:`WriteError` in plain words;
``formats`` says how each column is shown (units, precision, headers, Excel formats);
``workbook`` writes the commissioners' workbook.
``folders`` stages a whole output folder and swaps it into place in one step, replacing
only a folder earlyhelp made and keeping what a user added to it.

Example
-------
>>> with staged_dir(Path("maps/demo")) as staging:                     # doctest: +SKIP
...     write_csv(table, staging.path / "tables" / "x.csv")
...     wrote, kept = staging.written(), staging.keep_added()  # before the manifest
...     listed = {name: "what it is" for name in wrote}
...     manifest = run_manifest(cfg, command="run", inputs=[], outputs=listed, kept=kept)
...     write_json(manifest, staging.path / MANIFEST)
"""

from earlyhelp.outputs.folders import Staging, added_entries, read_manifest, staged_dir, tidy
from earlyhelp.outputs.formats import (
    TABLE_NOTES,
    ColumnFormat,
    column_format,
    comparison_as_analysed,
    header_with_unit,
    output_name,
    present,
)
from earlyhelp.outputs.workbook import sheet_title, write_workbook
from earlyhelp.outputs.writing import (
    GENERATOR,
    MANIFEST,
    WriteError,
    atomic_path,
    check_not_inputs,
    csv_text,
    disk_full,
    library_versions,
    plain_words,
    run_manifest,
    spreadsheet_safe,
    write_csv,
    write_error,
    write_geoparquet,
    write_gpkg,
    write_json,
    write_parquet,
    write_text,
)

__all__ = [
    "GENERATOR",
    "MANIFEST",
    "TABLE_NOTES",
    "ColumnFormat",
    "Staging",
    "WriteError",
    "added_entries",
    "atomic_path",
    "check_not_inputs",
    "column_format",
    "comparison_as_analysed",
    "csv_text",
    "disk_full",
    "header_with_unit",
    "library_versions",
    "output_name",
    "plain_words",
    "present",
    "read_manifest",
    "run_manifest",
    "sheet_title",
    "spreadsheet_safe",
    "staged_dir",
    "tidy",
    "write_csv",
    "write_error",
    "write_geoparquet",
    "write_gpkg",
    "write_json",
    "write_parquet",
    "write_text",
    "write_workbook",
]
