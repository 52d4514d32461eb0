"""The README section on the demo county's family hubs and early years places: its files,
their columns and the two planted stories (issue 18), appended to the county's README.
"""

from __future__ import annotations

__all__ = ["network_readme"]

from earlyhelp.demo.childcare import Childcare
from earlyhelp.demo.hubs import HubNetwork


def network_readme(hubs: HubNetwork, childcare: Childcare) -> str:
    """The section, figures filled in from this seed."""
    f = hubs.story["hub_facts"]
    c = childcare.story
    share = 100 * f["hubs_in_aim"] / f["hubs"]
    estate = ", ".join(hubs.story["hub_network_misses"])
    return _files(f) + _stories(f, c, share, estate)


def _files(f: dict) -> str:
    return f"""
## Family hubs and early years places

Drawn after everything above, from the same seed but a random stream of their own, so
none of the files or stories above changes.

### `deprivation.csv`

Fictional national deciles, as the English Indices of Deprivation 2025 would give them
(1 = the 10% most deprived areas in England).

| Column | Meaning |
|---|---|
| `area_code` | the area |
| `imd_decile` | Index of Multiple Deprivation decile |
| `idaci_decile` | IDACI decile: the area's `idaci_score` against England's decile cut-points |

### `family_hubs.csv`

The council's own list of its Best Start family hub network: {f["hubs"]} open hubs,
{f["spokes"]} spokes (family centres linked to a hub), {f["outreach"]} libraries used as
outreach venues and one hub still planned.

| Column | Meaning |
|---|---|
| `site_id` | FH01... hubs, FS01... spokes, FO01... outreach venues |
| `name` | invented |
| `kind` | hub, spoke or outreach venue |
| `status` | active or planned |
| `capacity` | families a year; blank for spokes, venues and {f["no_capacity"]} hubs |
| `postcode` | hubs and spokes (in a children's centre building) |
| `easting, northing` | outreach venues |
| `programme` | Best Start Family Hubs |

### `hub_services.csv`

The services delivered at the hubs (in person), from them (outreach) or by them online,
in the columns of `services.csv` plus `site_id` (the hub; blank at spokes, which join
their spoke by location) and `core_service` (the key of the core offer in `config.toml`).

### `wards.csv`

Each area's ward, about four areas to a ward, as the ONS LSOA to ward lookup gives them:
`area_code`, `ward_code` (X05...), `ward_name`.

### `ofsted_childcare_register.csv`

The Ofsted register of childcare providers in its published layout: two lines of title
and note above the header, then `Provider URN`, `Provider Type`, `Provider Status`, the
three register flags, `Provider Name`, `Provider Postcode`, `Local Authority`, `Places`
and `Places including Estimates` among others. Childminders' names and postcodes are
`REDACTED`; a few providers give only Ofsted's estimate of their places.

### `ey_take_up.csv`

DfE's table of children registered for funded early education against those eligible
(`time_period`, `geographic_level`, `new_la_code`, `la_name`, `age`, `number_children`,
`number_eligible_children`, `percentage_eligible_children`), England and Wyvernshire
(X10000001), 2025 and 2026; one figure is `u` (low reliability).
"""


def _stories(f: dict, c: dict, share: float, estate: str) -> str:
    return f"""
## Planted stories of the hub network and early years places

### 5. A hub network that misses the deprived estate

- The hubs are in the town-centre children's centres, the least deprived of each town:
  {f["hubs_in_aim"]} of {f["hubs"]} open hubs ({share:.0f}%) stand in the 30% most deprived
  areas (IDACI deciles 1-3), against the aim of 70%;
- no hub or spoke is within {f["estate_km"]:.1f} km of the deprived estate of story 3
  (areas {estate}); the one hub planned there has not opened;
- {f["no_capacity"]} open hubs give no capacity, so the share of hub capacity in deprived
  areas cannot be known.

### 6. A ward with too few early years places: {c["thin_ward"]} ({c["thin_ward_name"]})

- every one of the {c["thin_ward_closed"]} nurseries in the ward has resigned its Ofsted
  registration (the directory, `services.csv`, still lists them as active), so the ward's
  {c["thin_ward_under5"]:,} under-fives have no registered early years place in it.
"""
