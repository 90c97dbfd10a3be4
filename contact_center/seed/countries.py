"""Per-country material for synthetic customers: names, streets, and cities with their own region, time
zone, postcode shape and phone area, so that a customer's address, clock and number agree.

Patterns: ``#`` is a random digit and ``A`` a random capital letter; everything else is literal.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    name: str
    region: str
    timezone: str
    postcode: str  # pattern
    landline: str  # pattern of an E.164 number in the city's area


@dataclass(frozen=True)
class Country:
    code: str
    language: str
    currency: str
    weight: int
    cities: tuple[City, ...]
    mobile: str  # pattern of an E.164 mobile number ("" where mobiles share the city areas, as in the US)
    postcode_format: str  # a regular expression every postcode of the country matches
    street_format: str  # with {name}, {kind} and numbers {n}, {m}, {k}
    street_names: tuple[str, ...]
    street_kinds: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]


def fill(pattern: str, rng: random.Random) -> str:
    return "".join(
        str(rng.randrange(10)) if ch == "#" else chr(65 + rng.randrange(26)) if ch == "A" else ch for ch in pattern
    )


def pick_country(rng: random.Random) -> Country:
    return rng.choices(COUNTRIES, weights=[c.weight for c in COUNTRIES])[0]


def street_for(country: Country, rng: random.Random) -> str:
    return country.street_format.format(
        name=rng.choice(country.street_names),
        kind=rng.choice(country.street_kinds),
        n=rng.randrange(1, 400),
        m=rng.randrange(1, 40),
        k=rng.randrange(1, 30),
    )


def postcode_for(city: City, rng: random.Random) -> str:
    return fill(city.postcode, rng)


def phone_for(country: Country, city: City, rng: random.Random, kind: str = "mobile") -> str:
    """A possible E.164 number: a mobile of the country, or a line in the city's area code."""
    pattern = country.mobile if kind == "mobile" and country.mobile else city.landline
    return fill(pattern, rng)


def matches_postcode(country: Country, postcode: str) -> bool:
    return re.fullmatch(country.postcode_format, postcode) is not None


# Where a regulator sets numbers aside for films and books they are used: fewer real people get demo calls.
# US numbers use the 555 exchange that films and books use (555-0100 to 555-0199 are reserved for fiction).
COUNTRIES = (
    Country(
        "US",
        "en",
        "USD",
        40,
        (
            City("San Francisco", "CA", "America/Los_Angeles", "941##", "+1415555####"),
            City("Seattle", "WA", "America/Los_Angeles", "981##", "+1206555####"),
            City("Denver", "CO", "America/Denver", "802##", "+1720555####"),
            City("Austin", "TX", "America/Chicago", "787##", "+1512555####"),
            City("Chicago", "IL", "America/Chicago", "606##", "+1312555####"),
            City("Atlanta", "GA", "America/New_York", "303##", "+1404555####"),
            City("Boston", "MA", "America/New_York", "021##", "+1617555####"),
            City("New York", "NY", "America/New_York", "100##", "+1212555####"),
        ),
        "",
        r"\d{5}",
        "{n} {name} {kind}",
        (
            "Main",
            "Oak",
            "Maple",
            "Cedar",
            "Pine",
            "Elm",
            "Washington",
            "Lake",
            "Hill",
            "Park",
            "Sunset",
            "Market",
            "Mission",
            "Jefferson",
            "Highland",
            "Lincoln",
            "Madison",
            "Franklin",
        ),
        ("St", "Ave", "Blvd", "Rd", "Dr", "Ln", "Way", "Ct"),
        (
            "James",
            "Mary",
            "Robert",
            "Patricia",
            "John",
            "Jennifer",
            "Michael",
            "Linda",
            "David",
            "Elizabeth",
            "William",
            "Susan",
            "Richard",
            "Jessica",
            "Joseph",
            "Sarah",
            "Thomas",
            "Karen",
            "Daniel",
            "Nancy",
        ),
        (
            "Smith",
            "Johnson",
            "Williams",
            "Brown",
            "Jones",
            "Garcia",
            "Miller",
            "Davis",
            "Rodriguez",
            "Martinez",
            "Hernandez",
            "Lopez",
            "Wilson",
            "Anderson",
            "Thomas",
            "Taylor",
            "Moore",
            "Jackson",
            "Martin",
            "Lee",
        ),
    ),
    # Ofcom's ranges for drama (020 7946 0xxx, 0161 496 0xxx, 07700 900xxx, …), landlines widened to four digits.
    Country(
        "GB",
        "en",
        "GBP",
        12,
        (
            City("London", "England", "Europe/London", "SW# #AA", "+44207946####"),
            City("Manchester", "England", "Europe/London", "M## #AA", "+44161496####"),
            City("Leeds", "England", "Europe/London", "LS# #AA", "+44113496####"),
            City("Bristol", "England", "Europe/London", "BS# #AA", "+44117496####"),
            City("Edinburgh", "Scotland", "Europe/London", "EH# #AA", "+44131496####"),
            City("Cardiff", "Wales", "Europe/London", "CF## #AA", "+44292018####"),
        ),
        "+447700900###",
        r"[A-Z]{1,2}\d{1,2} \d[A-Z]{2}",
        "{n} {name} {kind}",
        (
            "High",
            "Station",
            "Church",
            "Victoria",
            "Park",
            "Mill",
            "King",
            "Queen's",
            "Albert",
            "Green",
            "Manor",
            "York",
            "Windsor",
            "Chapel",
        ),
        ("Street", "Road", "Lane", "Avenue", "Close", "Gardens", "Crescent", "Terrace"),
        (
            "Oliver",
            "Olivia",
            "George",
            "Amelia",
            "Harry",
            "Isla",
            "Jack",
            "Ava",
            "Charlie",
            "Emily",
            "Thomas",
            "Sophie",
            "Oscar",
            "Grace",
        ),
        (
            "Smith",
            "Jones",
            "Taylor",
            "Brown",
            "Williams",
            "Wilson",
            "Davies",
            "Evans",
            "Thomas",
            "Roberts",
            "Walker",
            "Wright",
            "Hughes",
            "Green",
        ),
    ),
    # Blocks like those the Bundesnetzagentur keeps for film and TV (030 23125 xxx, 069 90009 xxx, …).
    Country(
        "DE",
        "de",
        "EUR",
        10,
        (
            City("Berlin", "Berlin", "Europe/Berlin", "10###", "+493023125###"),
            City("München", "Bayern", "Europe/Berlin", "80###", "+498999998###"),
            City("Hamburg", "Hamburg", "Europe/Berlin", "20###", "+494066969###"),
            City("Köln", "Nordrhein-Westfalen", "Europe/Berlin", "50###", "+492214710###"),
            City("Frankfurt am Main", "Hessen", "Europe/Berlin", "60###", "+496990009###"),
            City("Leipzig", "Sachsen", "Europe/Berlin", "04###", "+493413909###"),
        ),
        "+49152288#####",
        r"\d{5}",
        "{name}{kind} {n}",
        (
            "Haupt",
            "Bahnhof",
            "Garten",
            "Schiller",
            "Goethe",
            "Linden",
            "Berg",
            "Kirch",
            "Wald",
            "Mozart",
            "Rosen",
            "Schul",
            "Friedrich",
            "Sonnen",
        ),
        ("straße", "weg", "allee", "platz", "ring"),
        (
            "Lukas",
            "Anna",
            "Leon",
            "Lea",
            "Finn",
            "Hannah",
            "Jonas",
            "Mia",
            "Paul",
            "Lena",
            "Felix",
            "Emma",
            "Maximilian",
            "Sophie",
        ),
        (
            "Müller",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Weber",
            "Meyer",
            "Wagner",
            "Becker",
            "Schulz",
            "Hoffmann",
            "Koch",
            "Richter",
            "Klein",
            "Wolf",
        ),
    ),
    # ARCEP's numbers for fiction: 01 99 00, 02 61 91, 04 65 71, 05 36 49 and 06 39 98 xx xx.
    Country(
        "FR",
        "fr",
        "EUR",
        8,
        (
            City("Paris", "Île-de-France", "Europe/Paris", "750##", "+3319900####"),
            City("Lyon", "Auvergne-Rhône-Alpes", "Europe/Paris", "6900#", "+3346571####"),
            City("Marseille", "Provence-Alpes-Côte d'Azur", "Europe/Paris", "130##", "+3346571####"),
            City("Toulouse", "Occitanie", "Europe/Paris", "310##", "+3353649####"),
            City("Nantes", "Pays de la Loire", "Europe/Paris", "440##", "+3326191####"),
        ),
        "+3363998####",
        r"\d{5}",
        "{n} {kind} {name}",
        (
            "de la République",
            "Victor Hugo",
            "Jean Jaurès",
            "de la Paix",
            "Pasteur",
            "du Général de Gaulle",
            "des Lilas",
            "Voltaire",
            "de Verdun",
            "Gambetta",
            "des Écoles",
            "du Moulin",
        ),
        ("rue", "avenue", "boulevard", "place", "allée", "impasse"),
        ("Gabriel", "Louise", "Raphaël", "Jade", "Léo", "Ambre", "Louis", "Emma", "Jules", "Alice", "Hugo", "Chloé"),
        (
            "Martin",
            "Bernard",
            "Dubois",
            "Thomas",
            "Robert",
            "Richard",
            "Petit",
            "Durand",
            "Leroy",
            "Moreau",
            "Simon",
            "Laurent",
        ),
    ),
    Country(
        "ES",
        "es",
        "EUR",
        8,
        (
            City("Madrid", "Comunidad de Madrid", "Europe/Madrid", "280##", "+3491#######"),
            City("Barcelona", "Cataluña", "Europe/Madrid", "080##", "+3493#######"),
            City("Valencia", "Comunitat Valenciana", "Europe/Madrid", "460##", "+3496#######"),
            City("Sevilla", "Andalucía", "Europe/Madrid", "410##", "+3495#######"),
            City("Bilbao", "País Vasco", "Europe/Madrid", "480##", "+3494#######"),
        ),
        "+346########",
        r"\d{5}",
        "{kind} {name}, {n}",
        (
            "Mayor",
            "de Alcalá",
            "Gran Vía",
            "del Sol",
            "de la Constitución",
            "de Cervantes",
            "San Juan",
            "de Goya",
            "Real",
            "de Colón",
            "de la Paz",
            "del Carmen",
        ),
        ("Calle", "Avenida", "Plaza", "Paseo", "Ronda"),
        ("Hugo", "Lucía", "Martín", "Sofía", "Lucas", "María", "Mateo", "Martina", "Leo", "Paula", "Daniel", "Julia"),
        (
            "García",
            "Rodríguez",
            "González",
            "Fernández",
            "López",
            "Martínez",
            "Sánchez",
            "Pérez",
            "Gómez",
            "Martín",
            "Jiménez",
            "Ruiz",
        ),
    ),
    Country(
        "MX",
        "es",
        "MXN",
        8,
        (
            City("Ciudad de México", "Ciudad de México", "America/Mexico_City", "06###", "+5255########"),
            City("Guadalajara", "Jalisco", "America/Mexico_City", "44###", "+5233########"),
            City("Puebla", "Puebla", "America/Mexico_City", "72###", "+52222#######"),
            City("Monterrey", "Nuevo León", "America/Monterrey", "64###", "+5281########"),
            City("Tijuana", "Baja California", "America/Tijuana", "22###", "+52664#######"),
        ),
        "",
        r"\d{5}",
        "{kind} {name} {n}",
        (
            "Reforma",
            "Insurgentes",
            "Juárez",
            "Hidalgo",
            "Morelos",
            "Madero",
            "Revolución",
            "Independencia",
            "Zaragoza",
            "Allende",
            "Constitución",
            "Universidad",
        ),
        ("Calle", "Avenida", "Boulevard", "Calzada"),
        (
            "Santiago",
            "Sofía",
            "Mateo",
            "Valentina",
            "Sebastián",
            "Regina",
            "Leonardo",
            "Camila",
            "Diego",
            "Ximena",
            "Emiliano",
            "Renata",
        ),
        (
            "Hernández",
            "García",
            "Martínez",
            "López",
            "González",
            "Pérez",
            "Rodríguez",
            "Sánchez",
            "Ramírez",
            "Cruz",
            "Flores",
            "Gómez",
        ),
    ),
    Country(
        "IN",
        "en",
        "INR",
        6,
        (
            City("Bengaluru", "Karnataka", "Asia/Kolkata", "560###", "+9180########"),
            City("Mumbai", "Maharashtra", "Asia/Kolkata", "400###", "+9122########"),
            City("Pune", "Maharashtra", "Asia/Kolkata", "411###", "+9120########"),
            City("Delhi", "Delhi", "Asia/Kolkata", "110###", "+9111########"),
            City("Hyderabad", "Telangana", "Asia/Kolkata", "500###", "+9140########"),
            City("Chennai", "Tamil Nadu", "Asia/Kolkata", "600###", "+9144########"),
        ),
        "+9198########",
        r"\d{6}",
        "{n}, {name} {kind}",
        (
            "MG",
            "Brigade",
            "Nehru",
            "Gandhi",
            "Station",
            "Church",
            "Park",
            "Ring",
            "Residency",
            "Link",
            "Lake",
            "Temple",
        ),
        ("Road", "Marg", "Street", "Nagar", "Layout", "Cross"),
        ("Aarav", "Ananya", "Vivaan", "Diya", "Aditya", "Saanvi", "Arjun", "Aadhya", "Sai", "Isha", "Rohan", "Priya"),
        ("Sharma", "Verma", "Gupta", "Patel", "Reddy", "Iyer", "Nair", "Singh", "Kumar", "Rao", "Das", "Mehta"),
    ),
    # ACMA's numbers for fiction: (0x) 5550 xxxx and 0491 570 xxx.
    Country(
        "AU",
        "en",
        "AUD",
        5,
        (
            City("Sydney", "NSW", "Australia/Sydney", "20##", "+6125550####"),
            City("Melbourne", "VIC", "Australia/Melbourne", "30##", "+6135550####"),
            City("Brisbane", "QLD", "Australia/Brisbane", "40##", "+6175550####"),
            City("Adelaide", "SA", "Australia/Adelaide", "50##", "+6185550####"),
            City("Perth", "WA", "Australia/Perth", "60##", "+6185551####"),
        ),
        "+61491570###",
        r"\d{4}",
        "{n} {name} {kind}",
        (
            "George",
            "Pitt",
            "Collins",
            "Elizabeth",
            "King",
            "Queen",
            "Bourke",
            "Flinders",
            "Hay",
            "Murray",
            "Victoria",
            "Wattle",
        ),
        ("Street", "Road", "Parade", "Terrace", "Avenue", "Lane"),
        ("Jack", "Charlotte", "Noah", "Olivia", "William", "Mia", "Leo", "Isla", "Henry", "Ava"),
        ("Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Nguyen", "Johnson", "Martin", "White"),
    ),
    Country(
        "JP",
        "ja",
        "JPY",
        3,
        (
            City("Tokyo", "Tōkyō", "Asia/Tokyo", "1##-####", "+813########"),
            City("Yokohama", "Kanagawa", "Asia/Tokyo", "2##-####", "+8145#######"),
            City("Nagoya", "Aichi", "Asia/Tokyo", "4##-####", "+8152#######"),
            City("Osaka", "Ōsaka", "Asia/Tokyo", "5##-####", "+816########"),
            City("Sapporo", "Hokkaidō", "Asia/Tokyo", "0##-####", "+8111#######"),
        ),
        "+8190########",
        r"\d{3}-\d{4}",
        "{name} {m}-{k}-{n}",
        ("Chūō", "Minato", "Kita", "Nishi", "Higashi", "Minami", "Sakae", "Aoba", "Midori", "Naka"),
        ("",),
        ("Haruto", "Yui", "Sota", "Hina", "Yuto", "Aoi", "Riku", "Sakura", "Ren", "Mei"),
        ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato"),
    ),
)
