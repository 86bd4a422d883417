"""Given names: the dictionary that tells a person from a team, a project or a product.

Common given names of the languages mailstencil reads (English, German, French, Spanish, Italian,
Polish, Turkish, Dutch, Indian, Chinese, Japanese and Arabic names in Latin script), written for
mailstencil from general knowledge. "Celia González" and "Client Accounts" are both capitalised
words; only one of them starts with a given name. Words that are more often something else ("May",
"Mark", "Grace", "Max", "Jan") are left out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["GIVEN_NAMES", "given_share", "names_reader"]

# fmt: off
GIVEN_NAMES: frozenset[str] = frozenset((
    "aaron", "aarti", "abigail", "adam", "aditya", "adrian", "adrián", "agnes", "agnieszka", "agnès",
    "ahmed", "ahmet", "aisha", "akash", "akira", "alain", "alan", "alba", "albert", "alberto", "aldo",
    "alejandro", "aleksandra", "alessandro", "alessia", "alex", "alexander", "alexandre", "alexis",
    "alfie", "ali", "alice", "alicia", "alicja", "alvaro", "amanda", "amber", "amelie", "amira",
    "amit", "amy", "amélie", "ana", "anais", "ananya", "anaïs", "andrea", "andreas", "andres",
    "andrew", "andrzej", "andrés", "andy", "angel", "angela", "angelo", "anil", "anjali", "anke",
    "ankit", "ann", "anna", "annemarie", "annika", "anouk", "anthony", "antoine", "antonio", "aoi",
    "archie", "arjun", "arnaud", "arthur", "arun", "ashley", "aurelie", "aurora", "aurélie", "austin",
    "ava", "ayse", "ayşe", "baptiste", "barbara", "beata", "beatrice", "beatriz", "ben", "benjamin",
    "benoit", "benoît", "bernard", "bernd", "beth", "betty", "beverly", "billy", "birgit", "bobby",
    "bram", "brandon", "brenda", "brian", "brigitte", "brittany", "bruce", "bruno", "bryan", "burak",
    "callum", "camille", "carl", "carlo", "carlos", "carmen", "carol", "carolyn", "catherine",
    "celine", "cem", "chantal", "charles", "charlie", "charlotte", "chelsea", "cheryl", "chiara",
    "chloe", "chloé", "chris", "christian", "christina", "christine", "christophe", "christopher",
    "claire", "clara", "claudia", "clemence", "clement", "clémence", "clément", "colin", "connor",
    "cornelis", "craig", "cristina", "cynthia", "céline", "daan", "daiki", "daisy", "dan", "daniel",
    "daniela", "danielle", "danuta", "dariusz", "david", "davide", "deborah", "debra", "declan",
    "deepak", "deepika", "denise", "deniz", "dennis", "diana", "diane", "didier", "diego", "dieter",
    "dirk", "divya", "dolores", "domenico", "donald", "donna", "doris", "dorota", "dorothy", "douglas",
    "dylan", "edward", "eleanor", "elena", "elias", "elif", "elijah", "elisa", "elizabeth", "elke",
    "ella", "elodie", "els", "elzbieta", "elżbieta", "emanuele", "emilia", "emily", "emine", "emma",
    "emre", "enrique", "enzo", "eric", "ernst", "esra", "esther", "ethan", "eugene", "eva", "evelyn",
    "evie", "ewa", "fabian", "fabio", "fang", "fatima", "fatma", "federica", "federico", "felix",
    "femke", "fernando", "finja", "finley", "finn", "fiona", "fleur", "florence", "florian", "frances",
    "francesca", "francesco", "francisco", "franco", "francois", "francoise", "frank", "françois",
    "françoise", "freddie", "frederic", "freya", "frieda", "friedrich", "fritz", "frédéric", "gabriel",
    "gabriele", "gareth", "gary", "george", "georgia", "gerald", "gerhard", "gerrit", "gianluca",
    "gilles", "gillian", "ginevra", "giorgia", "giorgio", "giovanni", "gisela", "giulia", "giuseppe",
    "gloria", "gonzalo", "graham", "grazia", "gregory", "greta", "grzegorz", "guillaume", "gunter",
    "günter", "halil", "hana", "hanako", "hannah", "hans", "hao", "harold", "harriet", "harry",
    "haruto", "hasan", "hassan", "hatice", "heather", "heike", "heinz", "helen", "helene", "helga",
    "helmut", "hendrik", "henrik", "henry", "hermann", "hinata", "hiroshi", "holly", "hong", "horst",
    "hugo", "hui", "hulya", "huseyin", "hélène", "hülya", "hüseyin", "ian", "ibrahim", "ignacio",
    "imogen", "ines", "ingrid", "inmaculada", "inès", "irene", "iris", "isabel", "isabella",
    "isabelle", "isla", "ismail", "ivan", "iván", "jack", "jacob", "jacqueline", "jade", "jake",
    "jakub", "james", "jana", "jane", "janet", "janice", "jason", "javier", "jean", "jeffrey",
    "jennifer", "jens", "jeremy", "jeroen", "jerome", "jerry", "jerzy", "jesse", "jessica", "jesus",
    "jesús", "jie", "jing", "joan", "joanna", "joaquin", "joaquín", "joe", "johanna", "johannes",
    "john", "jonas", "jonathan", "joost", "jordan", "jorge", "jose", "joseph", "joshua", "josiane",
    "josé", "joyce", "jozef", "juan", "judith", "judy", "jules", "julia", "julian", "julie", "julien",
    "juliette", "jun", "jurgen", "justin", "jutta", "jérôme", "józef", "jürgen", "kai", "kaito",
    "kamil", "karan", "karen", "karin", "karl", "karolina", "katarzyna", "kate", "katharina",
    "katherine", "kathleen", "kathryn", "katrin", "kavya", "kayla", "kazuki", "kees", "keiko", "keith",
    "kelly", "kenji", "kenneth", "kerstin", "kevin", "khalid", "kimberly", "kiran", "klaus",
    "krystyna", "krzysztof", "kurt", "kyle", "lakshmi", "larry", "lars", "laura", "lauren", "laurent",
    "lawrence", "layla", "lea", "lei", "leila", "lena", "leo", "leon", "leonie", "li", "liam", "lieke",
    "lily", "lina", "linda", "ling", "lisa", "liz", "logan", "lorena", "lorenzo", "lori", "lotte",
    "louis", "louise", "luca", "lucas", "lucia", "luciano", "lucie", "lucy", "lucía", "luigi", "luis",
    "luisa", "lukas", "lukasz", "léa", "léo", "maaike", "maarten", "madison", "magdalena",
    "malgorzata", "malte", "manfred", "manish", "manon", "manuel", "marcin", "marco", "marcos",
    "marek", "margaret", "margaux", "maria", "mariam", "marie", "marilyn", "marina", "mario",
    "mariusz", "markus", "marloes", "marta", "martha", "martin", "martina", "martine", "martín",
    "mary", "maría", "mason", "massimo", "mateo", "mateusz", "mathieu", "mathilda", "mathilde",
    "mathis", "matilda", "matt", "matteo", "matthew", "maurizio", "maxime", "maximilian", "małgorzata",
    "meera", "megan", "mehmet", "mei", "melissa", "mercedes", "merle", "merve", "meryem", "mia",
    "michael", "michal", "michał", "michel", "michele", "michelle", "miguel", "mike", "ming",
    "mohammed", "molly", "monica", "monika", "monique", "montserrat", "moritz", "muhammad", "murat",
    "mustafa", "nancy", "naoko", "natalia", "natalie", "nathalie", "nathan", "neha", "neil", "nele",
    "nicholas", "nick", "nicolas", "nicole", "nicolás", "nikhil", "niklas", "nils", "nisha", "noah",
    "noelia", "noor", "nuria", "oceane", "océane", "odile", "oliver", "olivia", "olivier", "omar",
    "omer", "oscar", "osman", "otto", "owain", "owen", "ozlem", "pablo", "pamela", "paola", "paolo",
    "pascal", "patricia", "patrick", "paul", "paula", "pauline", "pawel", "paweł", "pedro", "peter",
    "petra", "philip", "philipp", "philippe", "phoebe", "pierre", "pieter", "pietro", "pilar", "piotr",
    "pooja", "poppy", "priya", "qiang", "quentin", "rachel", "rafael", "rahul", "rainer", "raj",
    "rajesh", "ralph", "ramazan", "ramesh", "ramon", "ramón", "randy", "raphael", "raphaël", "raquel",
    "raul", "ravi", "raymond", "raúl", "rebecca", "ren", "renate", "rhys", "riccardo", "richard",
    "riku", "riya", "rob", "robert", "roberta", "roberto", "rocio", "rocío", "roger", "rohan", "rohit",
    "romain", "ronald", "rosa", "rosie", "roy", "ruben", "rubén", "russell", "ruth", "ryan", "sabine",
    "sakura", "salvatore", "sam", "samantha", "samuel", "sander", "sandra", "sandrine", "sanjay",
    "sanne", "santiago", "sara", "sarah", "scott", "sean", "sebastian", "sebastien", "serena",
    "sergio", "serife", "shannon", "sharon", "shirley", "shreya", "silke", "silvia", "simon", "simona",
    "simone", "sneha", "sofia", "sofía", "sophia", "sophie", "sota", "stefan", "stefanie", "stefano",
    "stephanie", "stephen", "steve", "steven", "stuart", "stéphanie", "sultan", "sunil", "sunita",
    "suresh", "susan", "susanne", "sven", "svenja", "swati", "sylvie", "sébastien", "süleyman",
    "tadeusz", "takeshi", "taro", "teresa", "terry", "theo", "theresa", "thierry", "thijs", "thomas",
    "thorsten", "théo", "tim", "timothy", "tobias", "tom", "tomasz", "tomoko", "tomás", "torsten",
    "tracey", "tracy", "tyler", "ursula", "uta", "ute", "uwe", "valentina", "valerie", "valérie",
    "veronique", "vicente", "victoria", "vijay", "vikram", "vincent", "vincenzo", "virginia",
    "virginie", "véronique", "walter", "wayne", "wei", "werner", "wiebke", "wilhelm", "willem",
    "william", "willie", "wolfgang", "wouter", "xiaoming", "xin", "yan", "yoko", "yong", "yu", "yui",
    "yuki", "yusuf", "yuto", "yves", "zachary", "zainab", "zbigniew", "zehra", "zeynep", "zoe",
    "zofia", "álvaro", "ángel", "élodie", "óscar", "ömer", "özlem", "łukasz", "şerife",
))
# fmt: on

_FIRST = re.compile(r"[^\W\d_]+")


def given_share(values: Iterable[str]) -> float:
    """The share of values whose first word is a given name (0.0 for no values)."""
    vals = [v for v in values if v]
    if not vals:
        return 0.0
    hits = sum(1 for v in vals if (m := _FIRST.match(v.strip())) is not None and m[0].lower() in GIVEN_NAMES)
    return hits / len(vals)


_LETTERS = re.compile(r"[a-z]{3,}")


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _fold(text: str) -> str:
    """Lower case without accents (``José`` as ``jose``; ``ß`` as ``ss``)."""
    low = text.lower().replace("ß", "ss")
    return unicodedata.normalize("NFKD", low).encode("ascii", "ignore").decode()


def names_reader(value: str, address: str) -> bool:
    """Whether a value names the message's own reader: one of its words (three letters or more,
    accents folded) is in the local part of the address the mail was sent to (``Leon Gould``
    and ``leon.gould59@``, ``D. Johnson`` and ``djohnson@``, ``Jürgen`` and ``juergen.``).
    Mail addressed to someone says their name; another person's name (who commented, who
    invited) is not in the reader's address."""
    local = _fold(address.partition("@")[0])
    words = _LETTERS.findall(_fold(value)) + _LETTERS.findall(_fold(value.lower().translate(_UMLAUTS)))
    return bool(local) and any(w in local for w in words)
