"""Reading ``config.toml``: TOML into the frozen settings, every key and value checked.

Unknown keys are refused with the list of valid keys and a "did you mean"; retired keys
say what replaced them. Relative paths are resolved against the folder of the config file.
"""

from __future__ import annotations

__all__ = ["load_config", "read_toml"]

import dataclasses
import tomllib
import types
import typing
from pathlib import Path
from typing import Any

from earlyhelp.config.checks import check_config
from earlyhelp.config.settings import CHOICES, COLUMN_SETS, Config, identity
from earlyhelp.errors import ConfigError, EarlyHelpError
from earlyhelp.text import did_you_mean


def load_config(path: str | Path | None = None) -> Config:
    """Read and validate a ``config.toml``; ``None`` gives the built-in defaults.

    Relative paths inside the file are resolved against the file's folder, so a run
    works from any working directory. The defaults name no input file: a ``Config`` built
    from them needs its areas, need and services paths set before anything is loaded.
    """
    if path is None:
        return Config()
    path = Path(path)
    data = read_toml(
        path,
        what="config file",
        missing="pass --config with the path to your config.toml",
        error=ConfigError,
    )
    cfg = _build(Config, data, path, ())
    cfg = _resolve_paths(cfg, path.parent.resolve())
    check_config(cfg, data, path)
    return dataclasses.replace(cfg, source=path)


def read_toml(
    path: Path,
    *,
    what: str,
    missing: str,
    syntax: str = "check quotes and brackets",
    error: type[EarlyHelpError] = ConfigError,
) -> dict[str, Any]:
    """A TOML file's tables, or one clear ``error`` naming the file, the problem and the
    fix: ``missing`` when there is no such file, ``syntax`` when it is not valid TOML."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(f"{path}: {what} not found; {missing}") from None
    except UnicodeDecodeError:
        raise error(f"{path}: {what} is not UTF-8 text; save it as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML: {exc}; {syntax}") from None


# Keys that earlier versions read, with what to do instead.
_RETIRED: dict[tuple[tuple[str, ...], str], str] = {
    (("sufficiency",), "low_access_quantile"): (
        "is no longer used: a gap is now judged against standards, not the county's bottom "
        "fifth; delete the line and set places_per_1000 under each [categories.*] (see "
        "config.toml)"
    ),
}


def _build(cls: type, data: Any, file: Path, where: tuple[str, ...]) -> Any:
    """Build dataclass ``cls`` from a TOML table, refusing unknown keys and wrong types."""
    label = ".".join(where) or "top level"
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: [{label}] must be a table of keys, not {data!r}")
    hints = typing.get_type_hints(cls)
    known = [f.name for f in dataclasses.fields(cls) if f.name != "source"]
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if (where[:1], key) in _RETIRED:
            raise ConfigError(f"{file}: [{label}] {key} {_RETIRED[(where[:1], key)]}")
        if key not in known:
            raise ConfigError(
                f"{file}: unknown key '{key}' in [{label}]{did_you_mean(key, known)}; "
                f"valid keys are: {', '.join(known)}"
            )
        kwargs[key] = _convert(hints[key], value, file, (*where, key), cls)
    return cls(**kwargs)


def _convert(hint: Any, value: Any, file: Path, where: tuple[str, ...], owner: type) -> Any:
    key = ".".join(where)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):  # Path | None
        inner = next(a for a in args if a is not type(None))
        if value in ("", None):
            return None
        return _convert(inner, value, file, where, owner)
    if hint is Any:  # a reader's options: checked by the reader itself
        return value
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _build(hint, value, file, where)
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{file}: '{key}' must be a table, not {value!r}")
        val_type = args[1]
        if val_type is str and owner in COLUMN_SETS:  # a column mapping
            allowed = COLUMN_SETS[owner]
            for canonical, column in value.items():
                if canonical not in allowed:
                    raise ConfigError(
                        f"{file}: unknown column key '{canonical}' in [{key}]"
                        f"{did_you_mean(canonical, allowed)}; valid keys are: {', '.join(allowed)}"
                    )
                if not isinstance(column, str):
                    raise ConfigError(
                        f"{file}: [{key}] {canonical} must be a column name in quotes"
                    )
            # Keys left out keep their default: the canonical name itself.
            return {**identity(allowed), **value}
        return {k: _convert(val_type, v, file, (*where, k), owner) for k, v in value.items()}
    if origin is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f'{file}: \'{key}\' must be a list of names, like ["a", "b"]')
        choices = CHOICES.get((where[0], where[-1]), ())
        for name in value if choices else ():
            if name not in choices:
                raise ConfigError(
                    f"{file}: unknown {where[-1]} '{name}' in [{'.'.join(where[:-1])}]"
                    f"{did_you_mean(name, choices)}; choose from: {', '.join(choices)}"
                )
        return tuple(value)
    if hint is Path:
        if not isinstance(value, str):
            raise ConfigError(f"{file}: '{key}' must be a file path in quotes")
        return Path(value)
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{file}: '{key}' must be true or false, not {value!r}")
        return value
    if hint in (int, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{file}: '{key}' must be a number, not {value!r}")
        if hint is int and not float(value).is_integer():
            raise ConfigError(f"{file}: '{key}' must be a whole number, not {value!r}")
        return hint(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{file}: '{key}' must be text in quotes, not {value!r}")
        choices = CHOICES.get((where[0], where[-1]), ())
        empty_ok = value == "" and _default(owner, where[-1]) == ""
        if choices and value not in choices and not empty_ok:
            raise ConfigError(
                f"{file}: {where[-1]} = '{value}' in [{'.'.join(where[:-1])}]"
                f"{did_you_mean(value, choices)}; choose one of: {', '.join(choices)}"
            )
        return value
    raise ConfigError(f"{file}: cannot read '{key}'")  # pragma: no cover - a typing gap


def _default(owner: type, name: str) -> Any:
    """A dataclass field's default (None when it has none)."""
    found = [f for f in dataclasses.fields(owner) if f.name == name]
    return found[0].default if found else None


def _resolve_paths(obj: Any, base: Path) -> Any:
    """Return ``obj`` with every relative Path made absolute against ``base``."""
    if isinstance(obj, Path):
        return obj if obj.is_absolute() else base / obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes = {
            f.name: _resolve_paths(getattr(obj, f.name), base)
            for f in dataclasses.fields(obj)
            if f.name != "source"
        }
        return dataclasses.replace(obj, **changes)
    if isinstance(obj, dict):
        return {k: _resolve_paths(v, base) for k, v in obj.items()}
    if isinstance(obj, str) and Path(obj).suffix.lower() in _FILE_SUFFIXES:
        return str(_resolve_paths(Path(obj), base))  # a file named in a reader's options
    return obj


_FILE_SUFFIXES = {".csv", ".json", ".xlsx", ".geojson", ".gpkg", ".txt"}
