"""The reach of social work expertise and training for professionals outside children's
social care (Munro 2011, Recommendation 10): how far frontline settings (schools, early
years settings, GP practices, health visiting bases) are from social work consultation
(locality teams, a front door or MASH; by phone or online everywhere), and what training
reaches their staff.

- :mod:`earlyhelp.expertise.sites`: tables of sites with a kind, or a GIAS extract;
- :mod:`earlyhelp.expertise.reach`: nearest in-person consultation, by the run's distance
  model;
- :mod:`earlyhelp.expertise.training`: places and attendance per 100 frontline staff;
- :mod:`earlyhelp.expertise.assess`: all of it for one run (:func:`assess_expertise`).

Imports run one way: assess -> reach, training -> sites.
"""

from earlyhelp.expertise.assess import Expertise, assess_expertise
from earlyhelp.expertise.reach import REMOTE_DELIVERY, nearest_consultation, reach_by_district
from earlyhelp.expertise.sites import KIND_SECTORS, read_sites, sector_of
from earlyhelp.expertise.training import COUNTY_WIDE, read_training, training_by_district

__all__ = [
    "COUNTY_WIDE", "KIND_SECTORS", "REMOTE_DELIVERY", "Expertise", "assess_expertise",
    "nearest_consultation", "reach_by_district", "read_sites", "read_training", "sector_of",
    "training_by_district",
]  # fmt: skip
