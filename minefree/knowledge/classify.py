"""Which challenges a passage states: multi-label, in English, French and Spanish, each
label with its evidence and a confidence.

This first method matches cue phrases (accent- and case-folded) of each category in each
language; a passage with no cue is "none". The evidence is the cue found. ``classify`` is
the one entry point the services and the API call, whatever the method behind it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from minefree.knowledge.text import fold

METHOD = "cues-1"

#: cue phrases by category, in the three languages (folded before matching)
CUES: dict[str, tuple[str, ...]] = {
    "financial": (
        "lack of funding",
        "lack of financial",
        "insufficient funding",
        "financial resources",
        "funding gap",
        "limited funding",
        "decrease in funding",
        "budget constraints",
        "manque de financement",
        "ressources financieres",
        "financement insuffisant",
        "manque de fonds",
        "contraintes budgetaires",
        "falta de financiacion",
        "falta de financiamiento",
        "recursos financieros",
        "financiamiento insuficiente",
        "falta de fondos",
        "restricciones presupuestarias",
    ),
    "capacity": (
        "lack of capacity",
        "limited capacity",
        "insufficient capacity",
        "shortage of staff",
        "number of teams",
        "lack of equipment",
        "manque de capacite",
        "capacites limitees",
        "manque d'equipements",
        "manque de personnel",
        "falta de capacidad",
        "capacidad limitada",
        "falta de equipos",
        "falta de personal",
    ),
    "expertise": (
        "technical expertise",
        "lack of expertise",
        "training",
        "skills",
        "expertise technique",
        "formation",
        "competences",
        "experiencia tecnica",
        "conocimientos tecnicos",
        "capacitacion",
    ),
    "security_access": (
        "insecurity",
        "security situation",
        "armed groups",
        "access to",
        "conflict",
        "insecurite",
        "situation securitaire",
        "groupes armes",
        "acces aux",
        "inseguridad",
        "situacion de seguridad",
        "grupos armados",
        "acceso a",
    ),
    "new_contamination": (
        "newly identified",
        "previously unknown",
        "new contamination",
        "improvised",
        "new mined areas",
        "newly found",
        "nouvellement identifiees",
        "precedemment inconnues",
        "nouvelle contamination",
        "improvises",
        "nouvelles zones minees",
        "recien identificadas",
        "previamente desconocidas",
        "nueva contaminacion",
        "improvisados",
        "nuevas zonas minadas",
    ),
    "environment_terrain": (
        "terrain",
        "rainy season",
        "vegetation",
        "weather",
        "climate",
        "jungle",
        "saison des pluies",
        "relief",
        "climat",
        "terreno",
        "temporada de lluvias",
        "vegetacion",
        "clima",
        "selva",
    ),
    "information": (
        "information management",
        "database",
        "data quality",
        "imsma",
        "baseline survey",
        "gestion de l'information",
        "base de donnees",
        "qualite des donnees",
        "gestion de la informacion",
        "base de datos",
        "calidad de los datos",
    ),
    "coordination": (
        "coordination",
        "governance",
        "national authority",
        "legal framework",
        "gouvernance",
        "autorite nationale",
        "cadre juridique",
        "coordinacion",
        "gobernanza",
        "autoridad nacional",
        "marco juridico",
    ),
}
_FOLDED = {code: tuple(fold(cue) for cue in cues) for code, cues in CUES.items()}


@dataclass(frozen=True)
class Suggestion:
    """One category a passage states, why (``evidence``) and how sure (0 to 1)."""

    category: str
    confidence: float
    evidence: str
    method: str = METHOD


def classify(
    texts: Sequence[str], languages: Sequence[str] | None = None
) -> list[list[Suggestion]]:
    """The categories each text states; ``[none]`` for a text that states no challenge."""
    results = []
    for text in texts:
        folded = fold(text)
        found = []
        for code, cues in _FOLDED.items():
            hits = [cue for cue in cues if cue in folded]
            if hits:
                confidence = min(0.5 + 0.15 * len(hits), 0.95)
                found.append(Suggestion(code, round(confidence, 2), "; ".join(hits[:3])))
        results.append(found or [Suggestion("none", 0.5, "")])
    return results
