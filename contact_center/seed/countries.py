"""Per-country material for synthetic customers: names, cities, time zones, languages, phone numbers."""

from __future__ import annotations

import random
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType


@dataclass(frozen=True)
class Country:
    code: str
    language: str
    timezones: tuple[str, ...]
    cities: tuple[tuple[str, str], ...]  # (city, region)
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    currency: str
    weight: int


COUNTRIES = (
    Country("US", "en", ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"),
            (("San Francisco", "CA"), ("Austin", "TX"), ("Chicago", "IL"), ("Boston", "MA"), ("Denver", "CO"),
             ("Seattle", "WA"), ("Atlanta", "GA"), ("New York", "NY")),
            ("James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
             "William", "Susan", "Richard", "Jessica", "Joseph", "Sarah", "Thomas", "Karen", "Daniel", "Nancy"),
            ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
             "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee"),
            "USD", 40),
    Country("GB", "en", ("Europe/London",),
            (("London", "England"), ("Manchester", "England"), ("Edinburgh", "Scotland"), ("Bristol", "England"),
             ("Cardiff", "Wales"), ("Leeds", "England")),
            ("Oliver", "Olivia", "George", "Amelia", "Harry", "Isla", "Jack", "Ava", "Charlie", "Emily", "Thomas",
             "Sophie", "Oscar", "Grace"),
            ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Davies", "Evans", "Thomas", "Roberts",
             "Walker", "Wright", "Hughes", "Green"),
            "GBP", 12),
    Country("DE", "de", ("Europe/Berlin",),
            (("Berlin", "BE"), ("München", "BY"), ("Hamburg", "HH"), ("Köln", "NW"), ("Frankfurt", "HE"),
             ("Leipzig", "SN")),
            ("Lukas", "Anna", "Leon", "Lea", "Finn", "Hannah", "Jonas", "Mia", "Paul", "Lena", "Felix", "Emma",
             "Maximilian", "Sophie"),
            ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
             "Koch", "Richter", "Klein", "Wolf"),
            "EUR", 10),
    Country("FR", "fr", ("Europe/Paris",),
            (("Paris", "IDF"), ("Lyon", "ARA"), ("Marseille", "PAC"), ("Toulouse", "OCC"), ("Nantes", "PDL")),
            ("Gabriel", "Louise", "Raphaël", "Jade", "Léo", "Ambre", "Louis", "Emma", "Jules", "Alice", "Hugo",
             "Chloé"),
            ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
             "Simon", "Laurent"),
            "EUR", 8),
    Country("ES", "es", ("Europe/Madrid",),
            (("Madrid", "MD"), ("Barcelona", "CT"), ("Valencia", "VC"), ("Sevilla", "AN"), ("Bilbao", "PV")),
            ("Hugo", "Lucía", "Martín", "Sofía", "Lucas", "María", "Mateo", "Martina", "Leo", "Paula", "Daniel",
             "Julia"),
            ("García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez",
             "Martín", "Jiménez", "Ruiz"),
            "EUR", 8),
    Country("MX", "es", ("America/Mexico_City", "America/Monterrey", "America/Tijuana"),
            (("Ciudad de México", "CDMX"), ("Guadalajara", "JAL"), ("Monterrey", "NL"), ("Puebla", "PUE"),
             ("Tijuana", "BC")),
            ("Santiago", "Sofía", "Mateo", "Valentina", "Sebastián", "Regina", "Leonardo", "Camila", "Diego",
             "Ximena", "Emiliano", "Renata"),
            ("Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez",
             "Cruz", "Flores", "Gómez"),
            "MXN", 8),
    Country("IN", "en", ("Asia/Kolkata",),
            (("Bengaluru", "KA"), ("Mumbai", "MH"), ("Delhi", "DL"), ("Hyderabad", "TG"), ("Pune", "MH"),
             ("Chennai", "TN")),
            ("Aarav", "Ananya", "Vivaan", "Diya", "Aditya", "Saanvi", "Arjun", "Aadhya", "Sai", "Isha", "Rohan",
             "Priya"),
            ("Sharma", "Verma", "Gupta", "Patel", "Reddy", "Iyer", "Nair", "Singh", "Kumar", "Rao", "Das", "Mehta"),
            "INR", 6),
    Country("AU", "en", ("Australia/Sydney", "Australia/Melbourne", "Australia/Perth", "Australia/Brisbane"),
            (("Sydney", "NSW"), ("Melbourne", "VIC"), ("Brisbane", "QLD"), ("Perth", "WA"), ("Adelaide", "SA")),
            ("Jack", "Charlotte", "Noah", "Olivia", "William", "Mia", "Leo", "Isla", "Henry", "Ava"),
            ("Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Nguyen", "Johnson", "Martin", "White"),
            "AUD", 5),
    Country("JP", "ja", ("Asia/Tokyo",),
            (("Tokyo", "13"), ("Osaka", "27"), ("Yokohama", "14"), ("Nagoya", "23"), ("Sapporo", "01")),
            ("Haruto", "Yui", "Sota", "Hina", "Yuto", "Aoi", "Riku", "Sakura", "Ren", "Mei"),
            ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato"),
            "JPY", 3),
)  # fmt: skip

_TEMPLATES: dict[str, str] = {}


def pick_country(rng: random.Random) -> Country:
    return rng.choices(COUNTRIES, weights=[c.weight for c in COUNTRIES])[0]


def phone_for(country: Country, rng: random.Random, kind: str = "mobile") -> str:
    """A possible E.164 number for the country; US numbers use the fictional 555-01XX block style."""
    if country.code == "US":
        area = rng.choice(("212", "312", "415", "512", "617", "720", "206", "404", "646", "303"))
        return f"+1{area}555{rng.randrange(10000):04d}"
    key = f"{country.code}:{kind}"
    template = _TEMPLATES.get(key)
    if template is None:
        example = phonenumbers.example_number_for_type(
            country.code, PhoneNumberType.MOBILE if kind == "mobile" else PhoneNumberType.FIXED_LINE
        )
        assert example is not None, f"phonenumbers has no example number for {country.code}"
        template = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
        _TEMPLATES[key] = template
    # Keep the operator/area prefix, vary the subscriber digits.
    keep = len(template) - 6
    return template[:keep] + f"{rng.randrange(10**6):06d}"
