"""earlyhelp: map early help for children and families against local need.

The pipeline (see ``assessment.run``): load -> validate -> prepare -> distances ->
accessibility -> sufficiency -> publish.
"""

__version__ = "0.1.0"
