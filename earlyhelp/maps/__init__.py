"""Board maps: folium layers, legends, offline assets and escaping of outside text.

>>> from earlyhelp.maps import MapLayer, board_map, save_map     # doctest: +SKIP
"""

from earlyhelp.maps.atlas import district_pages
from earlyhelp.maps.board import board_map, save_map
from earlyhelp.maps.classes import CLASSIFIERS, MapLayer, classify
from earlyhelp.maps.safety import escape_text

__all__ = [
    "CLASSIFIERS",
    "MapLayer",
    "board_map",
    "classify",
    "district_pages",
    "escape_text",
    "save_map",
]
