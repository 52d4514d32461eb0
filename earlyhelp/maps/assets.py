"""Self-contained maps: every script and stylesheet put inside the HTML file.

folium links Leaflet and its plugins from CDNs. A board member's council laptop may have
no network, so a self-contained map replaces each ``<script src=...>`` and
``<link rel="stylesheet" href=...>`` by the file's text. The texts come, at run time, from
the installed ``folium-offline`` package (MIT; module ``offlinefolium``), which carries
folium's web resources keyed by the very URLs folium links to. Checked against the npm
releases: Leaflet 1.9.3 (BSD-2-Clause) is the release file with its default marker and
layer images turned into data URIs; Leaflet.markercluster 1.1.0 (MIT) is byte-identical;
leaflet.fullscreen 3.0.0 (MIT) is jsDelivr's minified build with its icon as a data URI.
Each keeps its copyright header, and the page names the source and licence of each.

The board map uses no web fonts and no icon fonts (badges are text in CSS circles), so
once these are inlined the page asks the network only for base-map tiles, if any.
A URL that the package does not carry is an error, never a silent CDN link.
"""

from __future__ import annotations

__all__ = ["LICENCES", "asset_table", "inline_assets", "network_references"]

import re
from collections.abc import Mapping
from functools import cache
from importlib import metadata

from earlyhelp.errors import EarlyHelpError

_PACKAGE = "folium-offline"
_TAG = re.compile(
    r'<script src="(?P<js>[^"]+)"></script>|<link rel="stylesheet" href="(?P<css>[^"]+)"\s*/?>'
)
_REMOTE = re.compile(
    r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""",
    re.IGNORECASE,
)
# What each inlined file is and its licence (named in a comment beside it).
LICENCES = {
    "leaflet@1.9.3": "Leaflet 1.9.3, (c) Volodymyr Agafonkin and CloudMade, BSD-2-Clause",
    "leaflet.markercluster/1.1.0": "Leaflet.markercluster 1.1.0, (c) Dave Leaver, MIT",
    "leaflet.fullscreen@3.0.0": "leaflet.fullscreen 3.0.0, (c) Bruno Bergot, MIT",
}


class AssetError(EarlyHelpError):
    """A script or stylesheet cannot be put inside a self-contained map."""


@cache
def asset_table() -> Mapping[str, str]:
    """URL -> text of every web resource the installed folium-offline carries."""
    try:
        from offlinefolium.elements import _res
    except ImportError:
        raise AssetError(
            "self-contained maps need the folium-offline package, which carries Leaflet "
            'for use without a network: pip install "folium-offline>=0.20,<0.21", or set '
            "self_contained = false under [map] in config.toml"
        ) from None
    return dict(_res)


def _licence(url: str) -> str:
    for key, text in LICENCES.items():
        if key in url:
            return text
    return "see its own licence"


@cache  # once per file linked: reading the package's metadata is slow
def _comment(url: str) -> str:
    version = metadata.version(_PACKAGE)
    name = url.rsplit("/", 1)[-1]
    text = f"{name}: {_licence(url)}; inlined from {_PACKAGE} {version} (MIT)"
    return "<!-- " + text.replace("--", "-") + " -->"


def inline_assets(html: str, *, table: Mapping[str, str] | None = None) -> str:
    """``html`` with every linked script and stylesheet replaced by its text.

    Raises :class:`AssetError` naming the URL when a linked file is not in ``table``
    (by default :func:`asset_table`), and when any reference to the network is left.
    """
    table = asset_table() if table is None else table

    def inline(match: re.Match) -> str:
        url = match.group("js") or match.group("css")
        text = table.get(url)
        if text is None:
            raise AssetError(
                f"{url}: this file is not available offline from {_PACKAGE}; install the "
                "folium-offline release matching folium "
                f"({_version('folium')}), or save the map with self_contained=False"
            )
        closing = "</script" if match.group("js") else "</style"
        if closing in text.lower():
            raise AssetError(f"{url}: its text closes its own element; it cannot be inlined")
        tag = "script" if match.group("js") else "style"
        return f"{_comment(url)}<{tag}>{text}</{tag}>"

    out = _TAG.sub(inline, html)
    left = network_references(out)
    if left:
        raise AssetError(
            f"the map still loads {left[0]!r} from the network; it cannot be self-contained"
        )
    return out


def network_references(html: str) -> list[str]:
    """Every script, stylesheet, image or frame tag in ``html`` that loads from a URL."""
    return [m.group(0) for m in _REMOTE.finditer(html)]


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "not installed"
