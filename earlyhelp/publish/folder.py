"""One output folder for every command: a :class:`Product` and :func:`write_product`.

A command computes results and describes what to publish as a :class:`Product`: its
tables, GeoPackage layers, workbook sheets, pages (maps, the report) and manifest
sections. :func:`write_product` is the one writer: it refuses to overwrite an input,
writes everything into a hidden staging folder, records each file and whether it may be
published in ``manifest.json``, and only then puts the folder in place.

Whether a table may be published is in its file's name and in the manifest, never inside
the file, so every CSV opens with a plain ``pandas.read_csv`` or in QGIS:
``tables/<name>.csv`` passed small-number suppression; ``tables/<name>_NOT_FOR_PUBLICATION.csv``
holds unsuppressed small numbers (:func:`table_path`, :func:`find_table`). Analyst tables
and layers are written in one unit convention (:mod:`earlyhelp.outputs.formats`);
``tables/README.txt`` says what each table and column is, with the attribution and
licence; ``results.gpkg`` carries QGIS styles (:mod:`earlyhelp.publish.qgis`).

Example
-------
>>> product = Product("site", cfg, inputs=records, tables={"sites": table})   # doctest: +SKIP
>>> write_product(product, Path("maps/demo-site-parenting"))                  # doctest: +SKIP
"""

from __future__ import annotations

__all__ = [
    "PUBLISHED",
    "UNPUBLISHED",
    "UNPUBLISHED_SUFFIX",
    "Page",
    "Product",
    "ReportSection",
    "attribution_record",
    "columnar_output",
    "find_table",
    "input_records",
    "kept_note",
    "redraw_pages",
    "related_sections",
    "shown_table",
    "table_path",
    "write_product",
]

import json
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from earlyhelp.config import Config
from earlyhelp.disclosure import PUBLICATION_ATTR, check_publishable, is_publishable
from earlyhelp.errors import InputError
from earlyhelp.forking import Beside, beside, can_fork, stop_all
from earlyhelp.loading import InputRecord, Inputs, file_sha256
from earlyhelp.outputs import (
    MANIFEST,
    check_not_inputs,
    column_format,
    present,
    read_manifest,
    run_manifest,
    staged_dir,
    tidy,
    write_csv,
    write_geoparquet,
    write_gpkg,
    write_json,
    write_parquet,
    write_text,
    write_workbook,
)
from earlyhelp.publish.notes import tables_readme, workbook_about, worst_priority
from earlyhelp.publish.qgis import layer_styles

# What the manifest says of each file.
PUBLISHED = "published: small numbers suppressed"
UNPUBLISHED = "analyst data, not for publication"
# The end of an unpublished table's name: tables/gaps_NOT_FOR_PUBLICATION.csv.
UNPUBLISHED_SUFFIX = "_NOT_FOR_PUBLICATION"
TABLES_README = "tables/README.txt"

# A page draws itself into the staging folder and says what it wrote:
# ``{path relative to the folder: what it is, for the manifest}``.
Page = Callable[[Path], Mapping[str, str]]

REPORT_SECTION = "report_section.json"


@dataclass(frozen=True)
class ReportSection:
    """What a siting or scenario product adds to its run's board report.

    ``lines`` are plain-English sentences and ``table`` a table that has passed
    small-number suppression (:func:`earlyhelp.disclosure.suppress`): both may be
    published. ``kind`` is ``"siting"`` or ``"scenario"``.
    """

    kind: str
    title: str
    lines: tuple[str, ...]
    table: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, with the table's suppression record (see :meth:`from_dict`)."""
        table = self.table
        return {
            "kind": self.kind,
            "title": self.title,
            "lines": list(self.lines),
            "index": table.index.name,
            "columns": [str(c) for c in table.columns],
            "rows": [
                [key, *row]
                for key, row in zip(
                    table.index.tolist(), table.astype(object).to_numpy().tolist(), strict=True
                )
            ],
            "suppression": table.attrs.get("suppression"),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReportSection:
        """A section read back from ``report_section.json``. Its table carries the
        suppression record it was written with, so :func:`check_publishable` checks it
        again (a small count edited into the file is refused)."""
        rows = data.get("rows", [])
        table = pd.DataFrame(
            [r[1:] for r in rows],
            index=pd.Index([r[0] for r in rows], name=data.get("index")),
            columns=data.get("columns", []),
        )
        table.attrs = {PUBLICATION_ATTR: "suppressed", "suppression": data.get("suppression")}
        return cls(data["kind"], data["title"], tuple(data.get("lines", ())), table)


@dataclass(frozen=True, eq=False)
class Product:
    """Everything one command writes into its folder.

    Attributes
    ----------
    command
        The command that made it (``run``, ``access``, ``gaps``, ``site``, ``scenario``).
    cfg
        The configuration of the run.
    inputs
        What was read, as manifest records (file, SHA-256, rows read, used and dropped).
    tables
        ``tables/<name>.csv`` for a table that passed small-number suppression (it may be
        published); ``tables/<name>_NOT_FOR_PUBLICATION.csv`` for any other.
    layers
        Layers of ``results.gpkg`` (analyst data).
    workbook
        Sheets of ``commissioners.xlsx``, in order.
    pages
        HTML pages drawn into the folder, each on its own (a page reads nothing another
        writes: the report links the maps the board map plans); a large run's are drawn
        by processes beside the other writes.
    writers
        Other things written into the folder (the offer index), each on its own, in
        this process.
    ahead
        Work for the writers begun beside this process before the folder existed (a
        large run's offer index, made while its tables are audited): stopped when the
        folder cannot be written.
    files
        Other CSVs at the top of the folder (``validation.csv``) and what each is.
    sections
        The command's own parts of ``manifest.json`` (results, access notes, counts...).
    parameters
        Every parameter for the manifest (default: the whole configuration).
    libraries
        Libraries besides the usual ones whose versions shape the results.
    guard
        Files read besides the configured inputs (a candidates or scenario file); the
        folder may not hold them either.
    report
        What this product adds to its run's board report, if anything.
    """

    command: str
    cfg: Config
    inputs: tuple[dict[str, Any], ...] = ()
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    layers: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    workbook: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    pages: tuple[Page, ...] = ()
    writers: tuple[Page, ...] = ()
    ahead: tuple[Beside[Any], ...] = ()
    files: Mapping[str, tuple[pd.DataFrame, str]] = field(default_factory=dict)
    sections: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, Any] | None = None
    libraries: tuple[str, ...] = ()
    guard: tuple[Path, ...] = ()
    report: ReportSection | None = None


def input_records(
    inputs: Inputs, extra: tuple[str, Path | None, int, int] | None = None
) -> tuple[dict[str, Any], ...]:
    """The manifest records of a run's inputs, and of one more file a command read
    (``(role, path, rows read, rows used)``, e.g. a candidates or scenario file) if given."""
    records = [vars(r) for r in inputs.records]
    if extra is not None:
        role, path, read, used = extra
        if path is not None:
            sha = file_sha256(path)
            records.append(vars(InputRecord(role, str(path), sha, rows_read=read, rows_used=used)))
    return tuple(records)


def table_path(name: str, *, publishable: bool) -> str:
    """Where table ``name`` is written in its folder: ``tables/<name>.csv`` when it may be
    published, else ``tables/<name>_NOT_FOR_PUBLICATION.csv``."""
    return f"tables/{name}.csv" if publishable else f"tables/{name}{UNPUBLISHED_SUFFIX}.csv"


def find_table(folder: Path, name: str) -> Path:
    """The CSV of table ``name`` in a finished folder, published or not; an
    :class:`InputError` when the folder has neither."""
    for publishable in (True, False):
        path = Path(folder) / table_path(name, publishable=publishable)
        if path.is_file():
            return path
    raise InputError(
        f"{Path(folder) / table_path(name, publishable=True)}: not found; give --run the "
        "folder of a finished 'earlyhelp run'"
    )


def attribution_record(cfg: Config) -> dict[str, Any]:
    """What the outputs credit and the licence they are published under (for the
    manifest)."""
    return {
        "statements": cfg.attribution_lines(),
        "licence": cfg.attribution.licence,
        "licence_url": cfg.attribution.licence_url,
        "publisher": cfg.attribution.publisher,
    }


def write_product(product: Product, out_dir: Path) -> Path:
    """Write ``product`` into ``out_dir`` atomically; return the folder.

    Refused before any work when ``out_dir`` is, or holds, an input file, or is a folder
    earlyhelp did not write. Files: ``results.gpkg``, ``tables/*.csv``,
    ``commissioners.xlsx``, the pages, the product's other files, ``report_section.json``
    and ``manifest.json`` (written last, listing every file it wrote, and under ``kept``
    the files a user added to the earlier folder, carried over unchanged:
    :func:`kept_note` says so).
    """
    try:
        return _write_product(product, Path(out_dir))
    except BaseException:
        stop_all(list(product.ahead))  # nothing begun for the folder goes on running
        raise


def _write_product(product: Product, out_dir: Path) -> Path:
    check_not_inputs([out_dir], [*product.cfg.input_paths(), *product.guard])
    if product.report is not None:
        check_publishable(product.report.table, name=f"{REPORT_SECTION}: {product.report.title}")
    with staged_dir(out_dir) as staging:
        stage = staging.path
        outputs = _write_files(product, stage)
        listed = staging.written()
        manifest = run_manifest(
            product.cfg,
            command=product.command,
            inputs=list(product.inputs),
            outputs={path: outputs.get(path, UNPUBLISHED) for path in listed},
            kept=staging.keep_added(),  # what a user added to the earlier folder
            parameters=None if product.parameters is None else dict(product.parameters),
            libraries=product.libraries,
            **{"attribution": attribution_record(product.cfg), **product.sections},
        )
        write_json(manifest, stage / MANIFEST)
    return out_dir


def redraw_pages(folder: Path, pages: tuple[Page, ...], *, cfg: Config) -> dict[str, str]:
    """Draw ``pages`` again into a finished folder (``earlyhelp map`` and ``report``).

    Each page file is replaced atomically; the folder's ``manifest.json`` then lists what
    they are. Returns ``{file: what it is}`` for the pages drawn.
    """
    folder = Path(folder)
    check_not_inputs([folder], cfg.input_paths())
    tidy(folder.resolve().parent)  # a swap a killed run left half done is settled first
    data = read_manifest(folder)
    if data is None and os.path.lexists(folder / MANIFEST):
        raise InputError(
            f"{folder}: its manifest.json was not written by earlyhelp, so earlyhelp will "
            "not write into this folder; give --run the folder of a finished run"
        )
    drawn: dict[str, str] = {}
    for page in pages:
        drawn.update(page(folder))
    if data is not None:  # what is listed is what is there (a page may remove a file)
        listed = {**data.get("outputs", {}), **drawn}
        data["outputs"] = {k: v for k, v in sorted(listed.items()) if (folder / k).is_file()}
        write_json(data, folder / MANIFEST)
    return drawn


def kept_note(folder: Path) -> str | None:
    """What the command line says of the files a user added to an earlier folder and the
    new one kept ("Kept 1 file you added: notes.docx"), or None."""
    kept = [str(k) for k in _read_json(Path(folder) / MANIFEST).get("kept") or []]
    if not kept:
        return None
    files = "file" if len(kept) == 1 else "files"
    return f"Kept {len(kept)} {files} you added: {', '.join(kept)}"


def related_sections(
    folder: Path, *, cfg: Config, inputs: Sequence[Any]
) -> tuple[list[ReportSection], list[str]]:
    """The report sections of the siting and scenario products made for a run.

    They are the folders beside the run's ``folder`` that hold a ``report_section.json``
    and whose manifest names the same run and the same config file. One made from other
    input files than ``inputs`` (records with ``role`` and ``sha256``) is left out, and a
    note says so. Returns (sections in folder-name order, notes).
    """
    now = {_field(r, "role"): _field(r, "sha256") for r in inputs}
    config_file = str(cfg.source.resolve()) if cfg.source else None
    sections, notes = [], []
    parent = Path(folder).resolve().parent
    for other in sorted(p for p in parent.iterdir() if (p / REPORT_SECTION).is_file()):
        manifest = _read_json(other / "manifest.json")
        same_run = manifest.get("run") == cfg.run.name
        if not same_run or manifest.get("config_file") != config_file:
            continue
        if other.name.startswith("."):  # a staging folder, or a user's hidden one
            continue
        read = {r.get("role"): r.get("sha256") for r in manifest.get("inputs", [])}
        if any(read.get(role, sha) != sha for role, sha in now.items()):
            notes.append(
                f"The {manifest.get('command', 'earlier')} results in {other.name} were made "
                "from other input files than this report, so they are not shown; run that "
                "command again to include them."
            )
            continue
        sections.append(ReportSection.from_dict(_read_json(other / REPORT_SECTION)))
    return sections, notes


def _field(record: Any, name: str) -> Any:
    return record.get(name) if isinstance(record, Mapping) else getattr(record, name)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def columnar_output(cfg: Config, n_areas: int) -> bool:
    """Whether the tables of every small area and the results layers are written as
    Parquet and GeoParquet (``[run] tables``; ``auto``: above ``columnar_above_areas``)."""
    how = cfg.run.tables
    return how == "parquet" or (how == "auto" and n_areas > cfg.run.columnar_above_areas)


def cost_unit(product: Product) -> str | None:
    """The unit of the product's distances (``m`` or ``min``), None when not known."""
    access = product.sections.get("access")
    if isinstance(access, Mapping) and access.get("unit") in ("m", "min"):
        return str(access["unit"])
    model = product.cfg.access.distance_model
    return {"euclidean": "m", "network": "min"}.get(model)


def shown_table(frame: pd.DataFrame, name: str, unit: str | None) -> pd.DataFrame:
    """A table as written: a published one as it was suppressed, an analyst one in the
    outputs' unit convention (:func:`earlyhelp.outputs.present`)."""
    named = any(n is not None for n in frame.index.names)  # a MultiIndex's names too
    shown = frame.reset_index() if named else frame
    if not is_publishable(frame):
        return present(shown, table=name, cost_unit=unit)
    # as suppressed, whole numbers written whole ("1330", not "1330.0"): the same figures
    whole = shown.copy()
    for column in whole.columns:
        numeric = column_format(str(column), table=name).kind in _NUMBER_KINDS
        if numeric and (
            whole[column].dtype == object or pd.api.types.is_string_dtype(whole[column])
        ):
            whole[column] = whole[column].map(_whole, na_action="ignore")
    whole.attrs = dict(shown.attrs)
    return whole


_NUMBER_KINDS = ("count", "percent", "rate", "money", "distance", "index", "number")


def _whole(value: Any) -> Any:
    """``"1330.0"`` -> ``"1330"``; any other value as it is."""
    if isinstance(value, str) and value.endswith(".0") and value[:-2].lstrip("-").isdigit():
        return value[:-2]
    return value


# kept in an analyst Parquet table's metadata (its name says it too)
_PARQUET_BANNER = (
    "NOT FOR PUBLICATION: analyst table with unsuppressed small numbers; publish only the "
    "published tables (tables/<name>.csv)"
)


def _write_files(product: Product, stage: Path) -> dict[str, str]:
    """Write everything but the manifest; return what each file is.

    The results layers and the Parquet tables are written in a background thread while
    the rest is written (pyarrow, GEOS and GDAL work outside Python's lock, so the two
    overlap). Each page of a large run is drawn by a forked process of its own, beside
    it all (:mod:`earlyhelp.forking`: the board map alone is tens of seconds at
    England scale). A failure in any of them is raised here, inside the staging
    folder's guard, with the others stopped."""
    drawing: list[Beside[Mapping[str, str]]] = []
    pending: list[Future[Any]] = []
    try:
        for page in product.pages if _draw_beside(product) else ():
            drawing.append(beside(page, stage, what="the pages"))
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="earlyhelp-write") as background:

            def later(write: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
                pending.append(background.submit(write, *args, **kwargs))

            outputs = _write_all(product, stage, later)
            for job in pending:
                job.result()
        for page in product.pages if not drawing else ():
            outputs.update(page(stage))
        for child in drawing:
            outputs.update(child.result())
    except BaseException:
        stop_all(drawing)
        raise
    return outputs


def _draw_beside(product: Product) -> bool:
    """Whether the pages are drawn by processes beside the other writes: a large run
    (tables in Parquet: :func:`columnar_output`) on a machine that can fork them."""
    n_areas = len(product.layers.get("areas", ()))
    return bool(product.pages) and columnar_output(product.cfg, n_areas) and can_fork()


def _write_all(product: Product, stage: Path, later: Callable[..., None]) -> dict[str, str]:
    outputs: dict[str, str] = {}
    unit = cost_unit(product)
    columnar = columnar_output(product.cfg, len(product.layers.get("areas", ())))
    if product.layers:
        layers = {name: present(layer, table=name, cost_unit=unit) for name, layer in
                  product.layers.items()}  # fmt: skip
        layers = worst_priority(layers, product.cfg)
        if columnar:  # GeoParquet: no QGIS styles table (a GeoPackage holds those)
            later(write_geoparquet, layers, stage / "results")
        else:
            styles = layer_styles(layers, product.cfg)
            write_gpkg({**layers, **({"layer_styles": styles} if styles is not None else {})},
                       stage / "results.gpkg")  # fmt: skip
    tables: dict[str, tuple[str, pd.DataFrame]] = {}
    for name, frame in product.tables.items():
        publishable = is_publishable(frame)
        path = table_path(name, publishable=publishable)
        shown = shown_table(frame, name, unit)
        if columnar and not publishable and "area_code" in shown.columns:
            # a table of every small area in a large run: Parquet, its status in its name
            path = path.removesuffix(".csv") + ".parquet"
            later(write_parquet, shown, stage / path, banner=_PARQUET_BANNER)
        else:
            write_csv(shown, stage / path, float_format="%.10g")
        outputs[path] = PUBLISHED if publishable else UNPUBLISHED
        tables[name] = (path, shown)
    if tables:
        text = tables_readme(product.cfg, product.command, tables, cost_unit=unit)
        write_text(text, stage / TABLES_README)
        outputs[TABLES_README] = "notes: what each table and column is; attribution and licence"
    if product.workbook:
        sheets = {name: shown_table(frame, name, unit) for name, frame in product.workbook.items()}
        for name, frame in product.workbook.items():
            sheets[name].attrs = {**frame.attrs, "publishable": is_publishable(frame)}
        write_workbook(
            sheets,
            stage / "commissioners.xlsx",
            about=workbook_about(product.cfg, product.command, sheets),
            labels={key: product.cfg.category_label(key) for key in product.cfg.categories},
            cost_unit=unit,
        )
    for write in product.writers:
        outputs.update(write(stage))
    for name, (frame, what) in product.files.items():
        write_csv(frame, stage / name)
        outputs[name] = what
    if product.report is not None:
        write_json(product.report.to_dict(), stage / REPORT_SECTION)
        outputs[REPORT_SECTION] = f"{PUBLISHED} (a section of the run's board report)"
    return outputs
