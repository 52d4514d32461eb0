"""Family hubs: sites that host services, the core offer, targeting and under-five reach.

Children's centres have largely become family hubs, and every council runs a hub network
from April 2026 (Best Start Family Hubs). A hub (or a spoke, or an outreach venue) is a
**place**; services are delivered at it, from it by outreach, or virtually. Modules, in
import order: ``sites`` (services joined to sites; which core services a service is),
``offer`` (the core offer matrix by hub and locality, gaps named per hub), ``targeting``
(hubs by national deprivation decile against the aim; under-fives within reach), and
``assess`` (:func:`assess_hubs`, the :class:`HubAssessment` of one run).
"""

from earlyhelp.hubs.assess import HubAssessment, assess_hubs
from earlyhelp.hubs.offer import NONE, UNKNOWN, CoreOffer, core_offer
from earlyhelp.hubs.sites import MODES, core_services_of, link_services
from earlyhelp.hubs.targeting import (
    Reach,
    hub_deciles,
    reach_by_district,
    targeting_tables,
    under_five_reach,
)

__all__ = [
    "MODES", "NONE", "UNKNOWN", "CoreOffer", "HubAssessment", "Reach", "assess_hubs",
    "core_offer", "core_services_of", "hub_deciles", "link_services", "reach_by_district",
    "targeting_tables", "under_five_reach",
]  # fmt: skip
