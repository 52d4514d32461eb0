"""Wording shared by children's centres, services and candidate sites: invented building
names (whimsical on purpose, so that none is a real place) and opening times.
"""

from __future__ import annotations

# Names of buildings and second centres in a town ("Kingfisher Children's Centre, ...").
FEATURES = (
    "Harbourside", "Orchard Lane", "Beacon Rise", "Willow Court", "Meadowbank", "Kingfisher",
    "Rainbow", "Sunflower", "Acorn", "Puffin", "Seashell", "Wyvern Way", "Lighthouse",
    "Driftwood", "Sandpiper", "Bluebell", "Starfish", "Cormorant", "Lantern Yard", "Samphire",
    "Thrift Walk", "Ammonite", "Marram", "Oystercatcher", "Periwinkle", "Skylark",
    "Honeysuckle", "Clover", "Pebble Row", "Buttercup", "Foxglove", "Tern Quay",
)  # fmt: skip

# Opening times of in-person help; the first is every children's centre's that is not a hub.
OPENING = (
    "Mon-Fri 9:00-17:00",
    "Mon-Thu 8:30-17:00, Fri 8:30-16:30",
    "Tue & Thu 10:00-14:00",
    "Mon, Wed, Fri 9:30-12:30",
    "Sat 10:00-13:00",
    "Term time, Mon-Fri 8:45-15:15",
    "Wed 16:00-20:00",
    "By appointment",
)
