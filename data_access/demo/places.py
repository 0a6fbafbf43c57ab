"""The demo network's geography: rural US regions, their real small towns and referral habits.

Data-access layer (demo data). Static reference data only, no randomness: ``network`` decides
which towns get clinics. Coordinates are the towns' own (so every clinic lies inside its
state); RUCA codes are plausible primary codes for each town (4–10 rural, a few 2–3).
"""

from __future__ import annotations

from dataclasses import dataclass

from data_access.contract import ReferralSource


@dataclass(frozen=True)
class Town:
    name: str
    state: str
    latitude: float
    longitude: float
    ruca_code: int


@dataclass(frozen=True)
class Region:
    name: str
    towns: tuple[Town, ...]
    #: Multipliers on the network-wide referral-source mix (local referral habits).
    referral_boosts: tuple[tuple[ReferralSource, float], ...] = ()
    #: Snowy winters close clinics now and then.
    snowy: bool = False


RS = ReferralSource

#: In this order the first clinics are placed, one per region, before the rest are spread by
#: weight: so even a small network has a name with an apostrophe and one with an accent.
REGIONS: tuple[Region, ...] = (
    Region(
        "High Plains",
        (
            Town("O'Neill", "NE", 42.4578, -98.6476, 7),
            Town("Goodland", "KS", 39.3508, -101.7102, 7),
            Town("McCook", "NE", 40.2020, -100.6254, 4),
            Town("Colby", "KS", 39.3958, -101.0524, 7),
            Town("Ogallala", "NE", 41.1280, -101.7196, 7),
            Town("Dodge City", "KS", 37.7528, -100.0171, 4),
            Town("Valentine", "NE", 42.8728, -100.5510, 10),
            Town("Hays", "KS", 38.8792, -99.3268, 4),
        ),
        ((RS.PRIMARY_CARE, 1.2), (RS.INSURER, 2.0)),
        snowy=True,
    ),
    Region(
        "Upper Rio Grande",
        (
            Town("Española", "NM", 35.9911, -106.0806, 4),
            Town("Alamosa", "CO", 37.4694, -105.8700, 4),
            Town("Taos", "NM", 36.4072, -105.5731, 4),
            Town("Monte Vista", "CO", 37.5794, -106.1481, 7),
            Town("Raton", "NM", 36.9034, -104.4391, 7),
            Town("Socorro", "NM", 34.0584, -106.8914, 7),
            Town("Chama", "NM", 36.9031, -106.5792, 10),
            Town("Del Norte", "CO", 37.6789, -106.3534, 10),
        ),
        ((RS.SELF, 1.6), (RS.WEBSITE, 1.3)),
    ),
    Region(
        "Appalachian Highlands",
        (
            Town("Harlan", "KY", 36.8431, -83.3219, 7),
            Town("Hazard", "KY", 37.2495, -83.1932, 4),
            Town("Elkins", "WV", 38.9262, -79.8467, 4),
            Town("Pikeville", "KY", 37.4793, -82.5188, 4),
            Town("Beckley", "WV", 37.7782, -81.1882, 2),
            Town("Welch", "WV", 37.4330, -81.5848, 7),
            Town("Whitesburg", "KY", 37.1184, -82.8268, 10),
            Town("Logan", "WV", 37.8487, -81.9935, 7),
        ),
        ((RS.EMERGENCY_DEPARTMENT, 2.2), (RS.PRIMARY_CARE, 1.1)),
    ),
    Region(
        "Ozark Plateau",
        (
            Town("West Plains", "MO", 36.7281, -91.8524, 4),
            Town("Mountain Home", "AR", 36.3354, -92.3852, 4),
            Town("Salem", "MO", 37.6456, -91.5360, 7),
            Town("Harrison", "AR", 36.2298, -93.1077, 4),
            Town("Ava", "MO", 36.9520, -92.6601, 10),
            Town("Eureka Springs", "AR", 36.4012, -93.7380, 8),
            Town("Houston", "MO", 37.3262, -91.9557, 10),
            Town("Mountain View", "AR", 35.8684, -92.1179, 10),
        ),
        ((RS.CHIROPRACTIC, 3.5),),
    ),
    Region(
        "Mississippi Delta",
        (
            Town("Clarksdale", "MS", 34.2001, -90.5709, 4),
            Town("Greenwood", "MS", 33.5162, -90.1795, 4),
            Town("Tallulah", "LA", 32.4085, -91.1868, 7),
            Town("Cleveland", "MS", 33.7440, -90.7248, 4),
            Town("Yazoo City", "MS", 32.8551, -90.4056, 2),
            Town("Indianola", "MS", 33.4510, -90.6551, 7),
            Town("Ferriday", "LA", 31.6302, -91.5543, 5),
            Town("Lake Providence", "LA", 32.8049, -91.1707, 10),
        ),
        ((RS.EMERGENCY_DEPARTMENT, 2.5), (RS.SELF, 1.4)),
    ),
    Region(
        "Northwoods",
        (
            Town("Rhinelander", "WI", 45.6366, -89.4121, 4),
            Town("Bemidji", "MN", 47.4736, -94.8803, 4),
            Town("Hayward", "WI", 46.0130, -91.4846, 7),
            Town("Grand Rapids", "MN", 47.2372, -93.5302, 4),
            Town("Ashland", "WI", 46.5924, -90.8838, 7),
            Town("International Falls", "MN", 48.6011, -93.4105, 7),
            Town("Park Falls", "WI", 45.9344, -90.4410, 10),
            Town("Grand Marais", "MN", 47.7505, -90.3343, 10),
        ),
        ((RS.PHYSICAL_THERAPY, 2.5),),
        snowy=True,
    ),
    Region(
        "Great Basin",
        (
            Town("Elko", "NV", 40.8324, -115.7631, 4),
            Town("Fallon", "NV", 39.4735, -118.7774, 4),
            Town("Delta", "UT", 39.3522, -112.5771, 7),
            Town("Winnemucca", "NV", 40.9730, -117.7357, 7),
            Town("Ely", "NV", 39.2474, -114.8886, 7),
            Town("Fillmore", "UT", 38.9689, -112.3233, 10),
            Town("Tonopah", "NV", 38.0671, -117.2301, 10),
            Town("Wendover", "UT", 40.7371, -114.0375, 10),
        ),
        ((RS.WEBSITE, 2.2), (RS.SELF, 1.4)),
    ),
    Region(
        "Piedmont",
        (
            Town("Mount Airy", "NC", 36.4993, -80.6073, 4),
            Town("South Boston", "VA", 36.6988, -78.9014, 7),
            Town("Roxboro", "NC", 36.3938, -78.9828, 2),
            Town("Farmville", "VA", 37.3021, -78.3919, 7),
            Town("Siler City", "NC", 35.7235, -79.4622, 3),
            Town("Martinsville", "VA", 36.6915, -79.8725, 4),
            Town("Wadesboro", "NC", 34.9682, -80.0767, 7),
            Town("Lawrenceville", "VA", 36.7576, -77.8469, 10),
        ),
        ((RS.ORTHOPEDICS, 2.0), (RS.NEUROLOGY, 1.8)),
    ),
    Region(
        "Big Sky",
        (
            Town("Lewistown", "MT", 47.0625, -109.4282, 7),
            Town("Sandpoint", "ID", 48.2766, -116.5535, 4),
            Town("Miles City", "MT", 46.4083, -105.8406, 7),
            Town("Havre", "MT", 48.5500, -109.6841, 7),
            Town("Salmon", "ID", 45.1758, -113.8959, 7),
            Town("Dillon", "MT", 45.2163, -112.6375, 7),
            Town("Glasgow", "MT", 48.1969, -106.6367, 7),
            Town("Challis", "ID", 44.5046, -114.2317, 10),
        ),
        ((RS.CHIROPRACTIC, 1.8), (RS.PHYSICAL_THERAPY, 1.4)),
        snowy=True,
    ),
)

#: How many clinics a region tends to have beyond its first (more where people are).
REGION_WEIGHTS: tuple[float, ...] = (1.0, 0.8, 1.5, 1.3, 1.1, 1.0, 0.8, 1.2, 0.9)

#: Network-wide referral-source mix, in ``ReferralSource`` order: primary care dominates.
REFERRAL_BASE_MIX: dict[ReferralSource, float] = {
    RS.PRIMARY_CARE: 0.42,
    RS.ORTHOPEDICS: 0.08,
    RS.NEUROLOGY: 0.04,
    RS.CHIROPRACTIC: 0.08,
    RS.PHYSICAL_THERAPY: 0.10,
    RS.EMERGENCY_DEPARTMENT: 0.03,
    RS.OTHER_SPECIALIST: 0.04,
    RS.SELF: 0.10,
    RS.WEBSITE: 0.06,
    RS.INSURER: 0.03,
    RS.OTHER: 0.02,
}

#: Clinic names; a second clinic in the same town takes a side of town after its name.
NAME_TEMPLATES: tuple[str, ...] = (
    "{town} Pain & Wellness",
    "{town} Pain Clinic",
    "{town} Trigger Point Center",
    "{town} Musculoskeletal Care",
    "{town} Family Pain Care",
    "Pain Relief Clinic of {town}",
    "{town} Community Pain Clinic",
    "{town} Spine & Muscle Clinic",
)
SECOND_SITE_SUFFIXES: tuple[str, ...] = (" – East", " – West", " – North", " – South")
