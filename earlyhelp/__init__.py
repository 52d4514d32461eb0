"""earlyhelp: map early help for children and families against local need.

The pipeline: load and validate (:mod:`earlyhelp.loading`) -> distances
(:mod:`earlyhelp.distance`) -> accessibility -> sufficiency (:func:`earlyhelp.assessment.assess`)
-> publish (:mod:`earlyhelp.publish`); :mod:`earlyhelp.commands` runs each command and
docs/architecture.md draws the layers.
"""

__version__ = "0.1.0"
