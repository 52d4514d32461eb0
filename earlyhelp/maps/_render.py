"""Rendering of the board map's elements without branca's second template pass.

branca adds each element's rendered output to the page as a *new* Jinja template, which
is rendered again when the page is assembled. Text is escaped for that anyway
(:func:`earlyhelp.maps.safety.escape_text`); as a second line of defence our elements add
their output verbatim, so nothing they carry is ever parsed as a template twice.
"""

from __future__ import annotations

__all__ = ["QuickName", "Verbatim", "VerbatimLayer", "VerbatimMacroElement", "render_verbatim"]

from functools import cache

from branca.element import Element, Figure, MacroElement
from branca.utilities import _camelify
from folium.elements import ElementAddToElement
from folium.map import Layer


@cache
def _camel(name: str) -> str:
    return _camelify(name)


class QuickName:
    """branca's :meth:`~branca.element.Element.get_name` (the element's class name in
    snake case and its id), the snake case made once per class name: a page asks its
    elements' names hundreds of times, and a district atlas draws hundreds of pages."""

    _name: str
    _id: str

    def get_name(self) -> str:
        return _camel(self._name) + "_" + self._id


class Verbatim(Element):
    """Already-rendered text, put into the page as it is."""

    def __init__(self, text: str):
        super().__init__()
        self._name = "Verbatim"
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


def render_verbatim(element: MacroElement, *, html_index: int | None = None, **kwargs) -> None:
    """Render ``element``'s header/html/script macros once, then its children."""
    figure = element.get_root()
    if not isinstance(figure, Figure):
        raise TypeError("add the element to a map before rendering it")
    macros = element._template.module.__dict__
    for part in ("header", "html", "script"):
        macro = macros.get(part)
        if macro is None:
            continue
        target = getattr(figure, part)
        index = html_index if part == "html" else None
        target.add_child(
            Verbatim(str(macro(element, kwargs))), name=element.get_name(), index=index
        )
    for child in list(element._children.values()):
        if isinstance(child, MacroElement) and type(child).render is MacroElement.render:
            # folium's own plain elements (as addTo): rendered once too
            render_verbatim(child, **kwargs)
        else:
            child.render(**kwargs)


class VerbatimMacroElement(QuickName, MacroElement):
    """A MacroElement whose output is never rendered as a template a second time.

    Put after one of folium's own classes (``class Tiles(folium.TileLayer,
    VerbatimMacroElement)``), it draws that element as folium does (its links, includes
    and children) and adds what its macros give verbatim, where branca would make a new
    template of it: a template compiled per page, hundreds over a district atlas.
    """

    html_index: int | None = None  # where its html goes among the page's (None = end)

    # branca types Element.render as returning HTML; a MacroElement renders into its
    # figure and returns None, as branca's own MacroElement.render does
    def render(self, **kwargs) -> None:  # type: ignore[override]
        render_verbatim(self, html_index=self.html_index, **kwargs)


class VerbatimLayer(QuickName, Layer):
    """A folium Layer (listed in the layer control) rendered like VerbatimMacroElement."""

    def render(self, **kwargs) -> None:  # type: ignore[override]  # as above
        if self.show:
            if self._parent is None:
                raise ValueError(f"{self.get_name()}: add the layer to a map before drawing")
            self.add_child(
                ElementAddToElement(
                    element_name=self.get_name(),
                    element_parent_name=self._parent.get_name(),
                ),
                name=self.get_name() + "_add",
            )
        render_verbatim(self, **kwargs)
