"""Synthetic demo members whose characteristics follow Census 2021 figures for England and
Wales, except for deliberate, realistic gaps, so that gap reports have something true to find.

The gaps: fewer younger adults, fewer Black and Asian members, fewer people with learning
disabilities, and fewer carers doing the heaviest caring. Everything is drawn from a seeded
numpy Generator, so the same seed gives the same register.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from models import ACCESS_NEEDS
from panels.register.members import MemberInput
from representativeness import builtin_target

DEMO_SEED = 20261125
DEMO_MEMBERS = 640
DEMO_AREAS = ("North", "South", "East", "West", "Central")
DEMO_EMAIL_DOMAIN = "members.demo.example"

# Deliberate gaps: multipliers on the population shares.
GAPS = {
    "age_band": {"18-24": 0.35, "25-34": 0.5, "35-44": 0.8},
    "ethnicity_5": {"Black": 0.35, "Asian": 0.45},
    "support_reason": {"Learning disability": 0.3},
    "unpaid_carer": {"Provides 50 or more hours unpaid care a week": 0.5},
}

# Detailed ethnic groups within each high-level group: Census 2021, England and Wales,
# percent of usual residents (ONS TS021).
ETHNICITY_DETAIL = {
    "Asian": {
        "Indian": 3.1,
        "Pakistani": 2.7,
        "Bangladeshi": 1.1,
        "Chinese": 0.7,
        "Other Asian": 1.6,
    },
    "Black": {"African": 2.5, "Caribbean": 1.0, "Other Black": 0.5},
    "Mixed": {
        "White and Black Caribbean": 0.9,
        "White and Black African": 0.4,
        "White and Asian": 0.8,
        "Other Mixed": 0.8,
    },
    "White": {
        "British": 74.4,
        "Irish": 0.9,
        "Gypsy or Irish Traveller": 0.1,
        "Roma": 0.2,
        "Other White": 6.2,
    },
    "Other": {"Arab": 0.6, "Any other ethnic group": 1.6},
}
# Among people who draw on long-term care (NHS England ASC-FR 2023-24 gives the total and
# the learning disability share; the rest is an illustrative split), with carers as "None".
SUPPORT_REASONS = {
    "Physical support": 44.0,
    "Sensory support": 2.5,
    "Memory and cognition": 8.0,
    "Learning disability": 12.0,
    "Mental health": 9.5,
    "Social support": 4.0,
    "None": 20.0,
}
IMPAIRMENTS_FOR = {
    "Physical support": ["Mobility", "Dexterity", "Stamina"],
    "Sensory support": ["Vision", "Hearing"],
    "Memory and cognition": ["Memory"],
    "Learning disability": ["Learning"],
    "Mental health": ["Mental health"],
    "Social support": ["Long-term illness"],
}
DISABILITY = {"Limited a lot": 45.0, "Limited a little": 25.0, "Not limited": 30.0}
FIRST_NAMES = (
    "Aisha",
    "Amir",
    "Anita",
    "Ben",
    "Bronwen",
    "Chen",
    "Chidi",
    "Dafydd",
    "Dev",
    "Eileen",
    "Femi",
    "Grace",
    "Hamza",
    "Ifeoma",
    "Jack",
    "Jas",
    "Kofi",
    "Leah",
    "Liam",
    "Maria",
    "Mei",
    "Nadia",
    "Niamh",
    "Olu",
    "Pat",
    "Priya",
    "Rhys",
    "Rosa",
    "Sam",
    "Sean",
    "Sofia",
    "Tariq",
    "Tom",
    "Uma",
    "Wei",
    "Yusuf",
    "Zara",
    "Alan",
    "Brenda",
    "Colin",
    "Doreen",
    "Ellis",
)
LAST_NAMES = (
    "Adeyemi",
    "Ahmed",
    "Begum",
    "Brown",
    "Chowdhury",
    "Davies",
    "Evans",
    "Green",
    "Hughes",
    "Islam",
    "Jones",
    "Kaur",
    "Khan",
    "Kowalski",
    "Lee",
    "Mensah",
    "Murphy",
    "Nowak",
    "Okafor",
    "Patel",
    "Roberts",
    "Shah",
    "Singh",
    "Smith",
    "Taylor",
    "Thomas",
    "Walker",
    "Williams",
    "Wilson",
    "Wright",
    "Yildiz",
    "Zhang",
)
PREFER_NOT = 0.04
UNANSWERED = 0.05


@dataclass(frozen=True)
class Weights:
    codes: tuple[str, ...]
    p: np.ndarray

    @classmethod
    def of(cls, shares: dict[str, float], gaps: dict[str, float] | None = None) -> Weights:
        gaps = gaps or {}
        codes = tuple(shares)
        raw = np.array([shares[c] * gaps.get(c, 1.0) for c in codes], dtype=float)
        return cls(codes, raw / raw.sum())

    def draw(self, rng: np.random.Generator) -> str:
        return self.codes[int(rng.choice(len(self.codes), p=self.p))]


def _adult_age_shares() -> dict[str, float]:
    ages = builtin_target("england-and-wales").dimension("age_band")
    counts = dict(zip(ages.categories, ages.values, strict=True))
    shares = {"18-24": counts["15-19"] * 2 / 5 + counts["20-24"]}
    for band in ("25-34", "35-44", "45-54", "55-64", "65-74", "75-84", "85+"):
        shares[band] = counts[band]
    return shares


#: Letters used in the last two places of a UK postcode.
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def _postcode(rng: np.random.Generator) -> str:
    """A made-up Leeds postcode such as ``LS12 4QT``."""
    district, sector = int(rng.integers(1, 29)), int(rng.integers(1, 10))
    unit = POSTCODE_LETTERS[int(rng.integers(20))] + POSTCODE_LETTERS[int(rng.integers(20))]
    return f"LS{district} {sector}{unit}"


def _answer(rng: np.random.Generator, weights: Weights) -> list[str]:
    roll = rng.random()
    if roll < UNANSWERED:
        return []
    if roll < UNANSWERED + PREFER_NOT:
        return ["prefer_not_to_say"]
    return [weights.draw(rng)]


def generate_members(
    count: int = DEMO_MEMBERS, seed: int = DEMO_SEED, today: date | None = None
) -> list[MemberInput]:
    """``count`` synthetic members; the same seed always gives the same members."""
    today = today or date(2026, 11, 25)
    rng = np.random.default_rng(seed)
    target = builtin_target("england-and-wales")
    age = Weights.of(_adult_age_shares(), GAPS["age_band"])
    ethnic_group = Weights.of(target.shares("ethnicity_5"), GAPS["ethnicity_5"])
    detail = {group: Weights.of(groups) for group, groups in ETHNICITY_DETAIL.items()}
    sex = Weights.of(target.shares("sex"))
    religion_shares = {k: v for k, v in target.shares("religion").items() if k != "Not answered"}
    religion = Weights.of(religion_shares)
    orientation = Weights.of(
        {k: v for k, v in target.shares("sexual_orientation_16plus").items() if k != "Not answered"}
    )
    carer = Weights.of(builtin_target("england").shares("unpaid_care_5plus"), GAPS["unpaid_carer"])
    support = Weights.of(SUPPORT_REASONS, GAPS["support_reason"])
    disability = Weights.of(DISABILITY)
    area = Weights.of({a: 1.0 for a in DEMO_AREAS})
    members = []
    for index in range(count):
        band = age.draw(rng)
        low, high = (85, 98) if band == "85+" else map(int, band.split("-"))
        years = int(rng.integers(low, high + 1))
        born = today - timedelta(days=int(years * 365.25 + rng.integers(1, 360)))
        group = ethnic_group.draw(rng)
        ethnicity = _answer(rng, detail[group])
        reason = support.draw(rng)
        impairments = list(IMPAIRMENTS_FOR.get(reason, []))
        if impairments and rng.random() < 0.5:
            impairments = [impairments[int(rng.integers(len(impairments)))]]
        first = FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]
        last = LAST_NAMES[int(rng.integers(len(LAST_NAMES)))]
        consents = {
            "contact": rng.random() < 0.95,
            "selection": rng.random() < 0.88,
            "statistics": rng.random() < 0.9,
            "access_needs": rng.random() < 0.75,
        }
        needs: list[str] = []
        if consents["access_needs"]:
            needs = sorted(
                {
                    list(ACCESS_NEEDS)[int(i)]
                    for i in rng.integers(0, len(ACCESS_NEEDS), size=int(rng.integers(0, 3)))
                }
            )
        status_roll = rng.random()
        status = "active" if status_roll < 0.9 else ("paused" if status_roll < 0.96 else "left")
        members.append(
            MemberInput(
                first_name=first,
                last_name=last,
                email=f"{first}.{last}.{index + 1}@{DEMO_EMAIL_DOMAIN}".lower(),
                postcode=_postcode(rng),
                preferred_contact=["email", "phone", "text", "post"][
                    int(rng.choice(4, p=[0.5, 0.3, 0.1, 0.1]))
                ],
                date_of_birth=born,
                status=status,
                paused_until=today + timedelta(days=int(rng.integers(10, 120)))
                if status == "paused"
                else None,
                joined_via=["self", "staff", "partner"][int(rng.choice(3, p=[0.3, 0.4, 0.3]))],
                referred_by="Local carers centre" if rng.random() < 0.1 else None,
                access_needs=needs,
                answers={
                    "sex": _answer(rng, sex),
                    "ethnicity": ethnicity,
                    "religion": _answer(rng, religion),
                    "sexual_orientation": _answer(rng, orientation),
                    "disability": _answer(rng, disability) if reason != "None" else ["Not limited"],
                    "impairment_type": impairments,
                    "unpaid_carer": _answer(rng, carer),
                    "support_reason": [reason],
                    "local_area": [area.draw(rng)],
                },
                consents=consents,
            )
        )
        members[-1].answers = {k: v for k, v in members[-1].answers.items() if v}
    return members
