"""The board report: one self-contained HTML file that a board member reads without help.

:func:`write_report` writes it; :mod:`.document` explains what it holds and how it is
published.
"""

from earlyhelp.publish.report.document import (
    COUNTY_LINK,
    build_report,
    map_links_in,
    run_folder_notes,
    write_report,
)

__all__ = ["COUNTY_LINK", "build_report", "map_links_in", "run_folder_notes", "write_report"]
