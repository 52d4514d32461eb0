"""What an offer index was made from (its ``meta.json``), and whether it still matches.

An index is used only while it matches: the same input files (size and modification
time) read with the same settings (:func:`index_meta`, checked against a loaded
:class:`~earlyhelp.config.Config`). ``meta.json`` also keeps what the answer itself
depends on (:func:`offer_settings`: the kinds of help with their labels, ages and reach,
the distance settings) and the config file it came from, byte for byte
(:func:`config_fingerprint`), so that ``earlyhelp offer`` can answer without loading the
configuration: :func:`settings_if_unchanged` gives those settings only while the config
file is the very same bytes at the same place (then :func:`~earlyhelp.config.load_config`
would give the same values, and did not refuse them) and the input files are unchanged.
Standard library only.
"""

from __future__ import annotations

__all__ = [
    "INDEX_VERSION",
    "config_fingerprint",
    "index_meta",
    "made_from",
    "offer_settings",
    "read_meta",
    "run_folder",
    "settings_if_unchanged",
]

import hashlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from earlyhelp import __version__

if TYPE_CHECKING:  # the configuration is not loaded to answer from an index
    from earlyhelp.config import Config

INDEX_VERSION = 3


def index_meta(cfg: Config) -> dict[str, Any]:
    """What an index must match to be used: the input files (size and modification time),
    the settings that shape what is read, and the index's version."""
    files = _files([spec.path for spec in _inputs(cfg)])
    return {"version": INDEX_VERSION, "files": files, "settings": _settings_hash(cfg)}


def _inputs(cfg: Config) -> tuple[Any, ...]:
    return (cfg.areas, cfg.services, cfg.centres, cfg.postcodes)


def _files(paths: list[Any]) -> list[list[Any]]:
    """Each input file that exists: its full path, size and modification time."""
    files = []
    for path in paths:
        if path is not None and Path(path).exists():
            st = Path(path).stat()
            files.append([str(Path(path).resolve()), st.st_size, st.st_mtime_ns])
    return files


def _settings_hash(cfg: Config) -> str:
    every = cfg.to_dict()
    shaping = {k: every.get(k) for k in ("areas", "services", "centres", "postcodes", "access")}
    shaping["crs"] = cfg.run.crs
    shaping["categories"] = sorted(cfg.categories)
    text = json.dumps(shaping, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_meta(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((Path(folder) / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def offer_settings(cfg: Config) -> dict[str, Any]:
    """The settings one family's answer depends on, as plain JSON values (distances in
    metres, the model's unit for straight-line distance)."""
    unit = "m"
    path = cfg.postcodes.path
    return {
        "distance_model": cfg.access.distance_model,
        "circuity": cfg.access.circuity,
        "outreach_extra": cfg.access.outreach_extra(unit),
        "crs": cfg.run.crs,
        "postcodes": None if path is None else str(path),
        "categories": [
            {
                "key": key,
                "label": category.label,
                "min_age": category.min_age,
                "max_age": category.max_age,
                "reach": category.reach(unit),
            }
            for key, category in cfg.categories.items()
        ],
    }


def config_fingerprint(path: Path, text: bytes) -> dict[str, str]:
    """A config file as the index knows it: where it is, its bytes' SHA-256 and the
    earlyhelp that read it."""
    return {
        "path": str(Path(path).resolve()),
        "sha256": hashlib.sha256(text).hexdigest(),
        "earlyhelp": __version__,
    }


def made_from(cfg: Config) -> dict[str, Any]:
    """What ``meta.json`` keeps beside :func:`index_meta`: the input files as configured,
    the answer's settings and (for a config read from a file) that file's fingerprint."""
    source = None if cfg.source is None else Path(cfg.source)
    return {
        "inputs": [None if spec.path is None else str(spec.path) for spec in _inputs(cfg)],
        "answer": offer_settings(cfg),
        "config": None if source is None else config_fingerprint(source, source.read_bytes()),
    }


def run_folder(config: Path, text: bytes) -> Path | None:
    """The run folder a config file names (``<output_dir>/<name>``, relative to the
    file's folder, with the defaults of :class:`~earlyhelp.config.RunConfig`), read
    without loading the configuration; None when it cannot be read plainly.

    A ``[run]`` table written plainly (:func:`_plain_run_table`) is read without a TOML
    parser, which would take longer to load and read the file than the answer takes.
    Should that reading ever name another folder, no harm is done: an index there is
    used only when it was made from this very file (:func:`settings_if_unchanged`)."""
    try:
        decoded = text.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    run: Any = _plain_run_table(decoded)
    if run is None:
        import tomllib

        try:
            run = tomllib.loads(decoded).get("run", {})
        except tomllib.TOMLDecodeError:
            return None
    if not isinstance(run, dict):
        return None
    name, out = run.get("name", "demo"), run.get("output_dir", "maps")
    if not isinstance(name, str) or not isinstance(out, str):
        return None
    folder = Path(out)
    return (folder if folder.is_absolute() else Path(config).parent.resolve() / folder) / name


_RUN_HEADER = re.compile(r"\[\s*run\s*\]\s*(#.*)?")
_RUN_VALUE = re.compile(r'(name|output_dir)\s*=\s*"([^"\\]*)"\s*(#.*)?')


def _plain_run_table(text: str) -> dict[str, str] | None:
    """``name`` and ``output_dir`` of the ``[run]`` table of a config file's ``text``
    when written as earlyhelp writes them: one ``[run]`` header, each key on its own
    line as a double-quoted string without escapes, and no multi-line string in the
    table. None when the table is written any other way (or not at all)."""
    lines = [line.strip() for line in text.splitlines()]
    headers = [i for i, line in enumerate(lines) if _RUN_HEADER.fullmatch(line)]
    if len(headers) != 1:
        return None
    run = {}
    for line in lines[headers[0] + 1 :]:
        if line.startswith("["):  # the next table
            break
        if '"""' in line or "'''" in line or line.startswith(('"', "'")):
            return None
        found = _RUN_VALUE.fullmatch(line)
        if found:
            run[found[1]] = found[2]
        elif line.startswith(("name", "output_dir")):  # written some other way
            return None
    return run


def settings_if_unchanged(config: Path, text: bytes, meta: dict[str, Any]) -> Any:
    """The answer's settings kept in ``meta`` when the index was made from this config
    file (``text``, its bytes, at ``config``) by this earlyhelp and its input files are
    as they were; else None."""
    if meta.get("version") != INDEX_VERSION or meta.get("config") is None:
        return None
    if meta["config"] != config_fingerprint(config, text):
        return None
    inputs = meta.get("inputs")
    if not isinstance(inputs, list) or _files(inputs) != meta.get("files"):
        return None
    return meta.get("answer")
