"""Code lists shared by requests, candidates, matching and the journey (Dutch labels for the UI)."""

from __future__ import annotations

#: CEFR levels in order; index comparison tells whether a level meets a requirement.
LANGUAGE_LEVELS = {
    "geen": "Geen",
    "A1": "A1 (beginner)",
    "A2": "A2 (basis)",
    "B1": "B1 (zelfstandig)",
    "B2": "B2 (goed)",
    "C1": "C1 (zeer goed)",
}
LEVEL_ORDER = tuple(LANGUAGE_LEVELS)

WEEKDAYS = {
    "ma": "maandag",
    "di": "dinsdag",
    "wo": "woensdag",
    "do": "donderdag",
    "vr": "vrijdag",
    "za": "zaterdag",
    "zo": "zondag",
}


def level_rank(code: str | None) -> int:
    """0 for 'geen' (or unknown) up to 5 for C1."""
    return LEVEL_ORDER.index(code) if code in LEVEL_ORDER else 0


def split_codes(value: str | None) -> list[str]:
    """'ma,di, wo' → ['ma', 'di', 'wo'] (order kept, empties dropped)."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def join_codes(codes) -> str:
    return ",".join(dict.fromkeys(code.strip() for code in codes if code and code.strip()))


#: The eight steps of the Eindhoven approach (domain.md §5.1), in order, with placement, nazorg and exit.
JOURNEY_STAGES = {
    "aanmelding": "Aanmelding",
    "intake_rechtmatigheid": "Intake rechtmatigheid",
    "intake_doelmatigheid": "Intake doelmatigheid",
    "klantbeeld": "Klantbeeld",
    "trajectbepaling": "Trajectbepaling",
    "voortraject": "Voortraject",
    "vervolgtraject": "Vervolgtraject",
    "plaatsing": "Plaatsing",
    "nazorg": "Nazorg",
    "uitstroom": "Uitstroom",
}
#: The route chosen at trajectbepaling of the journey.
JOURNEY_ROUTES = {
    "werk": "Werk",
    "leerwerk": "Leerwerk of BBL",
    "opleiding": "Opleiding",
    "activering": "Activering",
    "zorg": "Zorg eerst",
}
#: How a candidate left the journey (uitstroom).
EXIT_KINDS = {
    "work_fulltime": "Betaald werk, voltijd",
    "work_parttime": "Betaald werk, deeltijd",
    "leerwerk": "Leerwerk of BBL",
    "education": "Opleiding",
    "moved": "Verhuisd naar een andere gemeente",
    "other": "Anders",
}
