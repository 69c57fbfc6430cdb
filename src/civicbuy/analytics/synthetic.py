# ruff: noqa: PLR2004, S311 - probabilities are the data of a seeded, non-cryptographic generator
"""A seeded generator of realistic synthetic OCDS compiled releases (for the demo city and for benchmarks).

Every run with the same seed writes the same releases. The mix imitates a city's data: about 30 buyers, open,
selective, limited and direct procedures, CPV-classified items, bids with valid and disqualified statuses, a few
currencies, SME suppliers (``/parties[]/details/scale``), emergency (COVID-19) buying, sustainability criteria,
and fields left out at random, as real publishers do.
"""

from __future__ import annotations

import gzip
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

BUYERS = [
    "Parks and Recreation",
    "Public Works",
    "Water and Sanitation",
    "Transport",
    "Education",
    "Health",
    "Housing",
    "Police",
    "Fire and Rescue",
    "Libraries",
    "Waste Management",
    "Finance",
    "IT Services",
    "Social Services",
    "Planning",
    "Culture",
    "Sports",
    "Environment",
    "Economic Development",
    "Mayor's Office",
    "Legal Services",
    "Fleet Management",
    "Street Lighting",
    "Cemeteries",
    "Markets",
    "Tourism",
    "Youth",
    "Elderly Care",
    "Emergency Management",
    "Procurement Office",
]
CPV = [
    ("45233140-2", "Roadworks"),
    ("09310000-5", "Electricity"),
    ("30192000-1", "Office supplies"),
    ("33140000-3", "Medical consumables"),
    ("34144900-7", "Electric vehicles"),
    ("90511000-2", "Refuse collection"),
    ("72000000-5", "IT services"),
    ("79710000-4", "Security services"),
    ("15800000-6", "Food products"),
    ("39130000-2", "Office furniture"),
    ("44163000-0", "Pipes and fittings"),
    ("50232100-1", "Street lighting maintenance"),
    ("71320000-7", "Engineering design"),
    ("80500000-9", "Training services"),
    ("85100000-0", "Health services"),
    ("33600000-6", "Pharmaceutical products"),
    ("18100000-0", "Work clothing"),
    ("77310000-6", "Planting and maintenance of green areas"),
    ("60100000-9", "Road transport services"),
    ("48000000-8", "Software packages"),
    ("45210000-2", "Building construction work"),
    ("31500000-1", "Lighting equipment"),
    ("09134200-9", "Diesel fuel"),
    ("90910000-9", "Cleaning services"),
]
METHODS = [("open", 0.5), ("selective", 0.1), ("limited", 0.12), ("direct", 0.28)]
CURRENCIES = [("EUR", 0.9), ("USD", 0.07), ("GBP", 0.03)]
SCALES = [("sme", 0.35), ("micro", 0.1), ("large", 0.3), (None, 0.25)]
EMERGENCY = ["Emergency purchase due to COVID-19 pandemic", "Urgent need after flooding (disaster declaration)"]
GREEN = ["Bidders must use recycled materials", "Award criteria include carbon emissions of delivery vehicles"]
SOCIAL = ["Contract includes a social clause for apprenticeships", "Living wage required for all staff"]
START = datetime(2021, 1, 1, tzinfo=UTC)


def _pick(rng: random.Random, weighted: list[tuple[Any, float]]) -> Any:
    roll = rng.random()
    total = 0.0
    for value, weight in weighted:
        total += weight
        if roll < total:
            return value
    return weighted[-1][0]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Generator:
    """Generate compiled releases; ``suppliers`` is a pool of firms reused across processes."""

    def __init__(self, seed: int = 0, suppliers: int = 2000) -> None:
        self.rng = random.Random(seed)
        self.suppliers = [
            {
                "id": f"GB-COH-{10000000 + i}",
                "name": f"Supplier {i} Ltd",
                "scale": _pick(self.rng, SCALES),
                "region": self.rng.choice(["Central", "North", "South", "East", "West", "Elsewhere"]),
            }
            for i in range(suppliers)
        ]

    def release(self, number: int) -> dict[str, Any]:  # noqa: C901, PLR0912, PLR0915 - one realistic record
        """Return compiled release number ``number``."""
        rng = self.rng
        ocid = f"ocds-synth1-{number:09d}"
        buyer_index = rng.randrange(len(BUYERS))
        buyer = {"id": f"CITY-{buyer_index:03d}", "name": f"City of Example - {BUYERS[buyer_index]}"}
        method = _pick(rng, METHODS)
        currency = _pick(rng, CURRENCIES)
        cpv, cpv_name = rng.choice(CPV)
        published = START + timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))
        days = rng.choice([3, 5, 7, 10, 12, 14, 15, 20, 21, 25, 30, 35, 40, 45]) if method != "direct" else 0
        amount = round(rng.lognormvariate(10, 1.3), 2)
        emergency = rng.random() < 0.05
        tender: dict[str, Any] = {
            "id": f"T-{number}",
            "title": f"{cpv_name} for {BUYERS[buyer_index]}",
            "status": rng.choice(["complete"] * 8 + ["active", "cancelled"]),
            "procurementMethod": method,
            "mainProcurementCategory": rng.choice(["goods", "services", "works"]),
            "value": {"amount": amount, "currency": currency},
            "tenderPeriod": {"startDate": _iso(published), "endDate": _iso(published + timedelta(days=days, hours=4))},
            "items": [
                {
                    "id": "1",
                    "description": cpv_name,
                    "classification": {"scheme": "CPV", "id": cpv},
                    "quantity": rng.randint(1, 500),
                }
            ],
            "procuringEntity": buyer,
        }
        if method == "direct" and rng.random() < 0.6:
            tender["procurementMethodRationale"] = "Only one supplier can provide the service"
        if emergency:
            tender["procurementMethodRationale"] = rng.choice(EMERGENCY)
        if rng.random() < 0.08:
            tender["awardCriteriaDetails"] = rng.choice(GREEN)
        if rng.random() < 0.05:
            tender["awardCriteriaDetails"] = rng.choice(SOCIAL)
        if rng.random() < 0.04:
            tender["sustainability"] = [
                {"goal": rng.choice(["environmental.climateChangeMitigation", "social.laborRights"])}
            ]
        if rng.random() < 0.6:
            tender["documents"] = [{"id": "1", "documentType": "tenderNotice", "url": f"https://example.org/{number}"}]
        parties: list[dict[str, Any]] = [{**buyer, "roles": ["buyer", "procuringEntity"]}]
        bids: list[dict[str, Any]] = []
        competitors = rng.sample(self.suppliers, rng.choice([1, 1, 2, 3, 3, 4, 5, 6]) if method != "direct" else 1)
        for index, firm in enumerate(competitors):
            status = "disqualified" if index and rng.random() < 0.12 else "valid"
            bid_value = round(amount * rng.uniform(0.75, 1.2), 2)
            bids.append(
                {
                    "id": f"{number}-{index}",
                    "status": status,
                    "date": _iso(published + timedelta(days=max(days - 1, 0))),
                    "value": {"amount": bid_value, "currency": currency},
                    "tenderers": [{"id": firm["id"], "name": firm["name"]}],
                }
            )
            party: dict[str, Any] = {
                "id": firm["id"],
                "name": firm["name"],
                "roles": ["tenderer"],
                "address": {"region": firm["region"], "countryName": "United Kingdom"},
            }
            if firm["scale"]:
                party["details"] = {"scale": firm["scale"]}
            parties.append(party)
        tender["numberOfTenderers"] = len(competitors)
        valid = [bid for bid in bids if bid["status"] == "valid"]
        release: dict[str, Any] = {
            "ocid": ocid,
            "id": f"{ocid}-{_iso(published)}",
            "date": _iso(published),
            "tag": ["compiled"],
            "initiationType": "tender",
            "buyer": buyer,
            "parties": parties,
            "tender": tender,
        }
        if method != "direct" and rng.random() < 0.7:
            release["bids"] = {"details": bids}
        if valid and tender["status"] == "complete":
            winner = min(valid, key=lambda bid: bid["value"]["amount"]) if rng.random() < 0.85 else rng.choice(valid)
            supplier = winner["tenderers"][0]
            for party in parties:
                if party["id"] == supplier["id"]:
                    party["roles"].append("supplier")
            award_date = published + timedelta(days=days + rng.randint(1, 60))
            award = {
                "id": f"A-{number}",
                "status": "active" if rng.random() < 0.95 else "pending",
                "date": _iso(award_date),
                "value": dict(winner["value"]),
                "suppliers": [supplier],
                "items": [{"id": "1", "classification": {"scheme": "CPV", "id": cpv}}],
            }
            signed = award_date + timedelta(days=rng.randint(1, 40))
            contract: dict[str, Any] = {
                "id": f"C-{number}",
                "awardID": award["id"],
                "status": "active",
                "dateSigned": _iso(signed),
                "value": dict(winner["value"]),
                "period": {"startDate": _iso(signed), "endDate": _iso(signed + timedelta(days=365))},
            }
            if rng.random() < 0.1:
                contract["amendments"] = [
                    {"id": "1", "date": _iso(signed + timedelta(days=90)), "rationale": "Extension"}
                ]
            if rng.random() < 0.5:
                contract["implementation"] = {
                    "transactions": [
                        {
                            "id": "1",
                            "date": _iso(signed + timedelta(days=30)),
                            "value": {"amount": winner["value"]["amount"], "currency": currency},
                            "payer": buyer,
                            "payee": supplier,
                        }
                    ]
                }
            release["awards"] = [award]
            release["contracts"] = [contract]
        # Fields that real publishers leave out.
        if rng.random() < 0.1:
            del tender["numberOfTenderers"]
        if rng.random() < 0.05:
            del tender["tenderPeriod"]
        if rng.random() < 0.03:
            del tender["value"]
        if rng.random() < 0.005:
            tender["value"] = {"amount": f"{amount:.2f}".replace(".", ","), "currency": currency}
        return release

    def releases(self, count: int) -> Any:
        """Yield ``count`` compiled releases."""
        for number in range(count):
            yield self.release(number)


def write_jsonl(output: str | Path, count: int, *, seed: int = 0) -> None:
    """Write ``count`` releases as JSON Lines to ``output`` (gzip if it ends in .gz; ``-`` for stdout)."""
    generator = Generator(seed)
    handle: Any
    if str(output) == "-":
        handle = sys.stdout.buffer
    elif str(output).endswith(".gz"):
        handle = gzip.open(output, "wb", compresslevel=5)  # noqa: SIM115 - closed below
    else:
        handle = Path(output).open("wb")  # noqa: SIM115 - closed below
    try:
        dumps = orjson.dumps
        handle.writelines(dumps(release) + b"\n" for release in generator.releases(count))
    finally:
        if handle is not sys.stdout.buffer:
            handle.close()
