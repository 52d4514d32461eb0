"""Fetching an Open Referral feed from its URL: every page, politely, and only once.

:func:`fetch_feed` follows a ``/services`` feed's pages (``?page=1&per_page=100``...)
until the feed says it has no more, and keeps each page as a file in a cache folder, so:

* a rerun reads the cache and fetches nothing (``refresh=True`` fetches again);
* a fetch that stops part way (a failing page, a lost connection, Ctrl-C) resumes from
  the first page it does not have;
* requests are spaced by ``delay_s`` and each is retried, waiting longer each time (or as
  long as the server's ``Retry-After`` asks), on a lost connection, 429 or a 5xx answer.

When the list pages carry only the services' headlines (ORUK 3.0's ``/services`` list
has no locations, schedules or terms), each service's full record is fetched from
``/services/{id}`` into the same cache, and read instead. The cache folder's
``feed.json`` records the feed, when it was read and which pages.
"""

from __future__ import annotations

__all__ = ["FeedRead", "fetch_feed", "is_url"]

import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import requests

from earlyhelp.errors import InputError
from earlyhelp.sources._oruk_service import normal_keys

USER_AGENT = "earlyhelp (early help sufficiency mapping; Open Referral reader)"
_DETAIL_KEYS = ("service_at_locations", "locations", "taxonomies", "service_taxonomys",
                "attributes", "schedules", "regular_schedules", "contacts")  # fmt: skip
_RETRY_STATUS = {429, 500, 502, 503, 504}
Progress = Callable[[str], None]


@dataclass(frozen=True)
class FeedRead:
    """What :func:`fetch_feed` read: the files to give the reader and where they came from."""

    url: str
    folder: Path
    files: list[Path]
    pages: list[int]
    first_fetched: str  # when the feed was first fetched into this cache (UTC, ISO 8601)
    completed: str  # when the last page or record was fetched
    requests: int  # HTTP requests made this time (0 when everything came from the cache)
    full_records: int  # services read from their own /services/{id} record

    def describe(self) -> str:
        """One line for the terminal: what was read, when, and from where."""
        records = f" and {self.full_records} full record(s)" if self.full_records else ""
        return (
            f"Read {len(self.pages)} page(s){records} of {self.url} (fetched "
            f"{self.first_fetched} to {self.completed}; {self.requests} request(s) this time; "
            f"kept in {self.folder})"
        )

    def manifest(self) -> dict[str, Any]:
        """The feed's part of an import manifest."""
        return {
            "url": self.url,
            "cache": str(self.folder),
            "pages_read": self.pages,
            "full_records": self.full_records,
            "first_fetched": self.first_fetched,
            "completed": self.completed,
            "requests_this_time": self.requests,
        }


def is_url(text: object) -> bool:
    """Whether a FILE argument is a feed's web address."""
    return str(text).lower().startswith(("http://", "https://"))


def fetch_feed(
    url: str,
    *,
    cache: Path,
    per_page: int = 100,
    delay_s: float = 1.0,
    retries: int = 3,
    backoff_s: float = 2.0,
    timeout_s: float = 60.0,
    full_records: str = "auto",
    refresh: bool = False,
    max_pages: int = 5000,
    progress: Progress | None = None,
) -> FeedRead:
    """Fetch every page of the feed at ``url`` into ``cache`` (or read them from it).

    Parameters
    ----------
    url
        The feed's ``/services`` address; ``page`` and ``per_page`` are added to it.
    cache
        The folder holding one subfolder per feed.
    per_page
        Services asked for per page (a feed may send fewer).
    delay_s, retries, backoff_s, timeout_s
        Seconds between requests; tries after the first on a lost connection, 429 or
        5xx, waiting ``backoff_s`` x 2^n seconds (or the server's ``Retry-After``); the
        seconds a request may take.
    full_records
        ``auto`` fetches each service's ``/services/{id}`` record when the list pages
        hold no locations, schedules or terms; ``yes`` always; ``no`` never.

    Raises
    ------
    InputError
        A page that fails after its retries, or is not JSON, naming the page and saying
        that the same command resumes from it.
    """
    if full_records not in ("auto", "yes", "no"):
        raise InputError(f"full_records must be auto, yes or no, not '{full_records}'")
    folder = Path(cache) / _feed_key(url, per_page)
    state = _State.open(folder, url, refresh)
    client = _Client(delay_s, retries, backoff_s, timeout_s, progress)
    pages = _fetch_pages(url, per_page, state, client, max_pages)
    files = [folder / state.pages[str(p)] for p in pages]
    records = [r for f in files for r in _records(_read_json(f))]
    headlines = not any(
        isinstance(r, dict) and set(normal_keys(r)) & set(_DETAIL_KEYS) for r in records
    )
    want = full_records == "yes" or (full_records == "auto" and bool(records) and headlines)
    if want:
        files = _fetch_records(url, records, state, client)
    state.save()
    return FeedRead(
        url=url,
        folder=folder,
        files=files,
        pages=pages,
        first_fetched=state.data["first_fetched"],
        completed=state.data.get("completed", ""),
        requests=client.requests,
        full_records=len(files) if want else 0,
    )


# --------------------------------------------------------------------------- pages


def _fetch_pages(url: str, per_page: int, state: _State, client: _Client, cap: int) -> list[int]:
    """Page numbers read, in order: from 1 (or 0, for a feed that counts from 0). Stops
    at the last page the feed names, an empty page, or a page that repeats the one before
    (a feed that ignores ``page``)."""
    page, read, before = 1, [], None
    while page <= cap:
        data = _page(url, page, per_page, state, client)
        env = _envelope(data)
        first_id = _first_id(env.get("records"))
        if page > 1 and first_id is not None and first_id == before:
            return read  # the same services again: the feed does not page
        read.append(page)
        before = first_id
        if page == 1 and env.get("first") is False:
            _page(url, 0, per_page, state, client)  # pages counted from 0: page 1 was the second
            read.insert(0, 0)
        total = env.get("totalpages")
        base = 0 if 0 in read else 1
        if (
            not isinstance(data, dict)
            or not env.get("records")
            or env.get("last") is True
            or (isinstance(total, int) and page + 1 - base >= total)
        ):
            return read
        page += 1
    raise InputError(f"{url}: the feed did not end after {cap} pages; check the URL")


def _first_id(records: Any) -> str | None:
    if isinstance(records, list) and records and isinstance(records[0], dict):
        return str(records[0].get("id"))
    return None


def _page(url: str, page: int, per_page: int, state: _State, client: _Client) -> Any:
    name = f"page-{page:05d}.json"
    cached = state.folder / name
    if str(page) in state.pages and cached.exists():
        return _read_json(cached)
    address = _with_query(url, page=page, per_page=per_page)
    body = client.get(address, what=f"page {page}", resume=_resume_note(state, f"page {page}"))
    data = _parse(body, address, f"page {page}", state)
    _write_atomic(cached, body)
    state.pages[str(page)] = name
    state.fetched()
    return data


def _fetch_records(url: str, records: list[Any], state: _State, client: _Client) -> list[Path]:
    """Each listed service's own record, ``/services/{id}``, kept as ``service-N.json``."""
    base = urlunsplit(urlsplit(url)._replace(query="", fragment="")).rstrip("/")
    files: list[Path] = []
    done: dict[str, str] = state.data.setdefault("full_records", {})
    ids = [str(r.get("id")) for r in records if isinstance(r, dict) and r.get("id") is not None]
    for i, sid in enumerate(dict.fromkeys(ids), start=1):
        name = done.get(sid) or f"service-{i:05d}.json"
        target = state.folder / name
        if sid not in done or not target.exists():
            what = f"the full record of service {sid} ({i} of {len(ids)})"
            address = f"{base}/{quote(sid, safe='')}"
            body = client.get(address, what=what, resume=_resume_note(state, what))
            _parse(body, address, what, state)
            _write_atomic(target, body)
            done[sid] = name
            state.fetched()
        files.append(target)
    return files


# --------------------------------------------------------------------------- HTTP


class _Client:
    """One HTTP session: spaced requests, retries with a growing wait."""

    def __init__(self, delay_s, retries, backoff_s, timeout_s, progress: Progress | None):
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        self.delay_s, self.retries, self.backoff_s = delay_s, retries, backoff_s
        self.timeout_s, self.progress = timeout_s, progress
        self.requests = 0
        self._last = 0.0

    def get(self, address: str, *, what: str, resume: str) -> bytes:
        failure, tries = "", 0
        for attempt in range(self.retries + 1):
            tries += 1
            wait = self.delay_s - (time.monotonic() - self._last)
            if wait > 0:
                time.sleep(wait)
            if self.progress is not None:
                self.progress(f"fetching {what}" + (f" (try {attempt + 1})" if attempt else ""))
            self.requests += 1
            self._last = time.monotonic()
            try:
                answer = self.session.get(address, timeout=self.timeout_s)
            except requests.RequestException as exc:
                failure = f"no answer ({type(exc).__name__})"
                time.sleep(self.backoff_s * 2**attempt)
                continue
            if answer.status_code == 200:
                return answer.content
            failure = f"HTTP {answer.status_code} {answer.reason or ''}".strip()
            if answer.status_code not in _RETRY_STATUS:
                break
            time.sleep(min(_retry_after(answer) or self.backoff_s * 2**attempt, 300.0))
        raise InputError(
            f"{address}: {what} failed: {failure}"
            + (f" (after {tries} tries)" if tries > 1 else "")
            + f"; {resume}"
        )


def _retry_after(answer: requests.Response) -> float:
    try:
        return float(answer.headers.get("Retry-After", ""))
    except ValueError:
        return 0.0


def _resume_note(state: _State, what: str) -> str:
    kept = len(state.pages) + len(state.data.get("full_records", {}))
    return (
        f"{kept} page(s) and record(s) already read are kept in {state.folder}, so running "
        f"the same command again resumes from {what}; if the address is wrong, check that it "
        "is the feed's /services endpoint"
    )


# --------------------------------------------------------------------------- files


class _State:
    """The cache folder of one feed and its ``feed.json``."""

    def __init__(self, folder: Path, data: dict[str, Any]):
        self.folder, self.data = folder, data
        self.pages: dict[str, str] = data.setdefault("pages", {})

    @classmethod
    def open(cls, folder: Path, url: str, refresh: bool) -> _State:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "feed.json"
        data: dict[str, Any] = {}
        if path.exists() and not refresh:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                data = {}
        if not data:
            data = {"url": url, "first_fetched": _now(), "pages": {}}
        return cls(folder, data)

    def fetched(self) -> None:
        """Note that a page or record was just fetched, and keep the note."""
        self.data["completed"] = _now()
        self.save()

    def save(self) -> None:
        text = json.dumps(self.data, indent=2, sort_keys=True)
        _write_atomic(self.folder / "feed.json", text.encode("utf-8"))


def _feed_key(url: str, per_page: int) -> str:
    return hashlib.sha256(f"{_with_query(url)}|{per_page}".encode()).hexdigest()[:16]


def _with_query(url: str, **params: int) -> str:
    """The address without its page number, with ``params`` it does not already give."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "page"]
    have = {k for k, _ in query}
    query += [(k, str(v)) for k, v in params.items() if k not in have]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _write_atomic(path: Path, body: bytes) -> None:
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(body)
    os.replace(tmp, path)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8-sig"))


def _parse(body: bytes, address: str, what: str, state: _State) -> Any:
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        start = body[:40].decode("utf-8", "replace").strip()
        raise InputError(
            f"{address}: {what} is not JSON (it starts '{start}'); check that the address is "
            f"the feed's API (…/services), not the directory's web page; "
            f"{_resume_note(state, what)}"
        ) from None


def _records(data: Any) -> list[Any]:
    if isinstance(data, list):
        return data
    found = _envelope(data).get("records")
    return found if isinstance(found, list) else []


def _envelope(data: Any) -> dict[str, Any]:
    """A page's records and paging, whatever the envelope's spelling."""
    if not isinstance(data, dict):
        return {"records": data if isinstance(data, list) else []}
    keys = {"".join(ch for ch in str(k).lower() if ch.isalpha()): v for k, v in data.items()}
    out: dict[str, Any] = {
        "records": next((keys[k] for k in ("content", "contents") if k in keys), None),
        "first": keys.get("first", keys.get("firstpage")),
        "last": keys.get("last", keys.get("lastpage")),
    }
    total = keys.get("totalpages")
    out["totalpages"] = total if isinstance(total, int) and not isinstance(total, bool) else None
    if out["records"] is None and "id" in keys:
        out["records"] = [data]
    return out
