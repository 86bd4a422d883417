"""Value pools: people, products, places, devices and identifiers (all fictional)."""

from __future__ import annotations

import random
import string
import unicodedata
from dataclasses import dataclass

FIRST: dict[str, tuple[str, ...]] = {
    "en": (
        "Jane",
        "Michael",
        "Olivia",
        "Ethan",
        "Grace",
        "Noah",
        "Chloe",
        "Liam",
        "Harper",
        "Owen",
        "Abigail",
        "Caleb",
    ),
    "de": (
        "Lukas",
        "Anna",
        "Jonas",
        "Lea",
        "Felix",
        "Marie",
        "Tobias",
        "Sophie",
        "Matthias",
        "Jana",
        "Jürgen",
        "Käthe",
    ),
    "fr": (
        "Camille",
        "Louis",
        "Chloé",
        "Hugo",
        "Manon",
        "Théo",
        "Inès",
        "Jules",
        "Léa",
        "Gaëlle",
        "Étienne",
        "Margaux",
    ),
    "es": (
        "Lucía",
        "Mateo",
        "Sofía",
        "Álvaro",
        "Martina",
        "Pablo",
        "Carmen",
        "Javier",
        "Elena",
        "Íñigo",
        "Paula",
        "Sergio",
    ),
    "it": ("Giulia", "Marco", "Francesca", "Luca", "Chiara", "Matteo", "Alessia", "Davide"),
    "nl": ("Sanne", "Daan", "Femke", "Bram", "Lotte", "Joris"),
    "pl": ("Zofia", "Jakub", "Agnieszka", "Piotr", "Katarzyna", "Tomasz"),
    "in": ("Priya", "Arjun", "Ananya", "Rohan", "Kavya", "Vikram"),
    "zh": ("Wei", "Xiaoming", "Mei", "Jun", "Lin", "Hao"),
    "tr": ("Elif", "Emre", "Zeynep", "Mehmet", "Ayşe", "Can"),
}
LAST: dict[str, tuple[str, ...]] = {
    "en": (
        "Doe",
        "Carter",
        "Bennett",
        "Hughes",
        "Foster",
        "Reed",
        "Sullivan",
        "Brooks",
        "Hayes",
        "Porter",
        "McAllister",
        "O'Neill",
    ),
    "de": (
        "Müller",
        "Schneider",
        "Fischer",
        "Weber",
        "Becker",
        "Hoffmann",
        "Schäfer",
        "Koch",
        "Richter",
        "Wolf",
        "Krüger",
        "Neumann",
    ),
    "fr": (
        "Martin",
        "Bernard",
        "Dubois",
        "Lefèvre",
        "Moreau",
        "Laurent",
        "Girard",
        "Rousseau",
        "Fontaine",
        "Chevalier",
        "Mercier",
        "Blanc",
    ),
    "es": (
        "García",
        "Fernández",
        "López",
        "Martínez",
        "Sánchez",
        "Romero",
        "Navarro",
        "Torres",
        "Ruiz",
        "Jiménez",
        "Ortega",
        "Castillo",
    ),
    "it": ("Rossi", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Conti"),
    "nl": ("de Vries", "Jansen", "van Dijk", "Bakker", "Visser", "Smit"),
    "pl": ("Nowak", "Kowalski", "Wiśniewska", "Wójcik", "Kamińska", "Lewandowski"),
    "in": ("Sharma", "Patel", "Iyer", "Reddy", "Nair", "Gupta"),
    "zh": ("Wang", "Li", "Zhang", "Chen", "Liu", "Zhou"),
    "tr": ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Aydın"),
}
JA_NAMES: tuple[tuple[str, str], ...] = (
    ("佐藤", "sato"),
    ("鈴木", "suzuki"),
    ("高橋", "takahashi"),
    ("田中", "tanaka"),
    ("渡辺", "watanabe"),
    ("伊藤", "ito"),
    ("山本", "yamamoto"),
    ("中村", "nakamura"),
    ("小林", "kobayashi"),
    ("加藤", "kato"),
)
JA_GIVEN: tuple[tuple[str, str], ...] = (
    ("太郎", "taro"),
    ("花子", "hanako"),
    ("翔太", "shota"),
    ("美咲", "misaki"),
    ("健一", "kenichi"),
    ("由美", "yumi"),
    ("大輔", "daisuke"),
    ("さくら", "sakura"),
    ("陽菜", "hina"),
    ("拓海", "takumi"),
)
MAIL_DOMAINS = (
    "mail.example",
    "post.example",
    "inbox.example",
    "webmail.example",
    "example.net",
    "example.org",
    "correo.example",
    "courriel.example",
    "posteo.example",
    "mailbox.example",
)


@dataclass(frozen=True)
class Person:
    """A message recipient or actor."""

    first: str
    last: str
    full: str
    email: str
    locale: str


def ascii_fold(s: str) -> str:
    norm = unicodedata.normalize("NFKD", s.replace("ß", "ss").replace("ı", "i").replace("ł", "l"))
    return "".join(ch for ch in norm if ch.isascii() and (ch.isalnum()))


def person(rng: random.Random, locales: tuple[str, ...]) -> Person:
    """Draw a person from one of ``locales`` (``ja`` yields kanji names with romanised addresses)."""
    loc = rng.choice(locales)
    if loc == "ja":
        (last, last_r), (first, first_r) = rng.choice(JA_NAMES), rng.choice(JA_GIVEN)
        full, a, b = f"{last} {first}", first_r, last_r
    else:
        first, last = rng.choice(FIRST[loc]), rng.choice(LAST[loc])
        full, a, b = f"{first} {last}", ascii_fold(first).lower(), ascii_fold(last).lower()
    pattern = rng.choice(("{a}.{b}", "{a}{b}", "{a0}{b}", "{a}_{b}{n}", "{b}.{a}", "{a}{n}"))
    local = pattern.format(a=a, b=b, a0=a[:1], n=rng.randint(1, 99))
    return Person(first, last, full, f"{local}@{rng.choice(MAIL_DOMAINS)}", loc)


def code(rng: random.Random, alphabet: str, n: int) -> str:
    """A random code of ``n`` characters from ``alphabet``."""
    return "".join(rng.choice(alphabet) for _ in range(n))


UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
UPPER_DIGITS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
DIGITS = string.digits
HEX = "0123456789abcdef"
URLSAFE = string.ascii_letters + string.digits


def ip_address(rng: random.Random) -> str:
    """A documentation-range IPv4 (sometimes IPv6) address."""
    if rng.random() < 0.15:
        return f"2001:db8:{rng.randint(1, 0xFFFF):x}::{rng.randint(1, 0xFFFF):x}"
    net = rng.choice(("192.0.2", "198.51.100", "203.0.113"))
    return f"{net}.{rng.randint(1, 254)}"


BROWSERS = ("Firefox", "Chrome", "Safari", "Edge", "Opera", "Brave")
SYSTEMS = ("Windows", "macOS", "Linux", "iPhone", "iPad", "Android", "ChromeOS")


def device(rng: random.Random, lang: str) -> str:
    """A browser/OS description in the sender's language."""
    b, s = rng.choice(BROWSERS), rng.choice(SYSTEMS)
    if lang == "fr":
        return f"{b} sur {s}"
    if lang == "es":
        return f"{b} en {s}"
    if lang == "de":
        return f"{b} unter {s}"
    if lang == "ja":
        return f"{s} の {b}"
    return rng.choice((f"{b} on {s}", f"{s} · {b}", f"{b} ({s})"))


ORG_A = (
    "Acme",
    "Bluefin",
    "Cedar",
    "Driftwood",
    "Ember",
    "Fjord",
    "Granite",
    "Halcyon",
    "Indigo",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Marigold",
    "Nimbus",
    "Orchid",
    "Polaris",
    "Quartz",
    "Riverbend",
)
ORG_B = (
    "Design",
    "Platform",
    "Growth",
    "Mobile",
    "Data",
    "Support",
    "Research",
    "Marketing",
    "Infra",
    "Payments",
    "Web",
    "Studio",
)
ORG_C = ("Team", "Squad", "Guild", "Lab", "Crew", "Group", "Collective", "Project")


def organization(rng: random.Random) -> str:
    """A team / workspace / project name."""
    style = rng.random()
    if style < 0.4:
        return f"{rng.choice(ORG_A)} {rng.choice(ORG_B)} {rng.choice(ORG_C)}"
    if style < 0.7:
        return f"{rng.choice(ORG_A)} {rng.choice(ORG_B)}"
    if style < 0.85:
        return f"{rng.choice(ORG_A).lower()}-{rng.choice(ORG_B).lower()}"
    return f"{rng.choice(ORG_A)} {rng.choice(('Inc.', 'GmbH', 'SARL', 'S.L.', 'Ltd'))}"


def username(rng: random.Random, p: Person) -> str:
    """Either the account e-mail address or a handle."""
    if rng.random() < 0.55:
        return p.email
    first, last = ascii_fold(p.first).lower(), ascii_fold(p.last).lower()[:6]
    return f"{first}{rng.choice(('', '_', '.'))}{last}{rng.randint(1, 999)}"
