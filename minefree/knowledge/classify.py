"""Which challenges a passage states: multi-label, in English, French and Spanish, each
label with its evidence and a confidence.

The method (``docs/knowledge-classification.md``): one logistic regression per category
(scikit-learn) over tf-idf word uni- and bigrams and character n-grams of the folded text,
plus one indicator per category of the explicit cue phrases below; trained on the labelled
set's train split and on people's decisions (``training``). A label's evidence is the cue
phrase found, or else the terms of the passage that weighed most for it; a passage with
no category above the threshold is "none". ``classify`` is the one entry point the
services and the API call, whatever the method behind it.

A process trains its model once, on first use, and again when a newer ``TrainingRun``
exists (``classifier_train`` records one); nothing is read back from a file or a pickle.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from minefree.knowledge import training
from minefree.knowledge.training import METHOD as METHOD
from minefree.knowledge.training import THRESHOLD, Model, fold

#: cue phrases by category, in the three languages; matched on the folded text at word
#: boundaries, a trailing ``*`` allowing any ending ("financ*": financement, financiación)
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
        "funding",
        "fund",
        "funds",
        "financial*",
        "budget*",
        "shortfall*",
        "money",
        "cost",
        "costs",
        "expensive",
        "deficit",
        "lack of resources",
        "more resources",
        "argent",
        "coute",
        "cout",
        "moyens financiers",
        "couteu*",
        "onereu*",
        "cher",
        "deficit de moyens",
        "manque de moyens",
        "fondos",
        "presupuest*",
        "costos*",
        "costosa*",
        "costo",
        "cuesta",
        "ha costado",
        "financiacion",
        "financiamiento",
        "insufficient resources",
        "more resources",
        "donor fatigue",
        "withdraw their funds",
        "resource mobilization",
        "costly",
        "fortune",
        "bailleurs de fonds",
        "besoin de l'appui",
        "moyens financiers",
        "presupuestales",
        "presupuesto",
        "inversion",
        "costosa",
        "costosas",
        "costosos",
        "recaudar",
        "millones de dolares",
        "cuesta",
        "mil dolares",
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
        "capacity",
        "capacities",
        "few teams",
        "more teams",
        "staff",
        "equipment",
        "assets",
        "detectors",
        "human resources",
        "shortage*",
        "operators",
        "capacit*",
        "moyens humains",
        "ressources humaines",
        "effectifs",
        "equipements",
        "est seul",
        "capacidad*",
        "recursos humanos",
        "efectivos",
        "trabajadores",
        "shortage of equipment",
        "exceeds supply",
        "only three",
        "beyond the capacity",
        "medical care is limited",
        "deminers are leaving",
        "national capacity",
        "build capacity",
        "manquent de personnel",
        "manque de tout",
        "materiel vieillissant",
        "la seule organisation",
        "refuerzo de efectivos",
        "cifra insuficiente",
        "los unicos",
        "se carece de tratamiento",
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
        "train",
        "trained",
        "skill*",
        "expertise",
        "technical expertise",
        "technical skills",
        "technicians",
        "specialized",
        "specialised",
        "instructor*",
        "cannot locate",
        "sop",
        "form",
        "former",
        "formant",
        "formations",
        "forme",
        "competence*",
        "techniques",
        "savoir-faire",
        "specialis*",
        "capacitar",
        "capacitarlos",
        "entrena*",
        "formacion",
        "conocimientos",
        "especialista*",
        "experiencia",
        "detectan",
        "technical obstacles",
        "methodologies",
        "no approved",
        "not been clearly defined",
        "techniques and procedures",
        "metal content",
        "avoid detection",
        "toxic",
        "techniques speciales",
        "former ou de reformer",
        "competences",
        "sin patron",
        "carecen de partes metalicas",
        "artesanal",
        "vasto entrenamiento",
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
        "security",
        "fighting",
        "armed group*",
        "rebel*",
        "access",
        "ceasefire",
        "hostilities",
        "kidnap*",
        "attacks",
        "threats",
        "no side has allowed",
        "securit*",
        "securitaire*",
        "conflit*",
        "combats",
        "groupes rebelles",
        "rebelle*",
        "djihadist*",
        "acces",
        "hostilites",
        "enlevement*",
        "bandes armees",
        "enleves",
        "seguridad",
        "conflicto*",
        "actor armado",
        "actores armados",
        "disidencias",
        "orden publico",
        "acceso",
        "amenazas",
        "ataques",
        "enfrentamientos",
        "control territorial",
        "guerrill*",
        "grupos ilegales",
        "al margen de la ley",
        "abduct*",
        "attack*",
        "militants",
        "taliban",
        "insurgent*",
        "roadside bomb",
        "gunmen",
        "non-state armed",
        "suspended",
        "hommes armes",
        "enlev*",
        "attaqu*",
        "instable",
        "embuscade",
        "suspendu*",
        "conflit n'est pas",
        "secuestr*",
        "asesin*",
        "armamento",
        "orden publico",
        "no podemos ingresar",
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
        "newly",
        "ieds have",
        "residual contamination",
        "isolated mines",
        "discover*",
        "new use",
        "recent use",
        "proliferated",
        "contaminated every",
        "nouvelles poses",
        "improvis*",
        "residuel*",
        "residuelle",
        "decouvert*",
        "detectees",
        "utilisation des mines",
        "nouvelle menace",
        "principal danger",
        "nuevos campos",
        "improvisad*",
        "sembrando",
        "siembra",
        "descubr*",
        "incremento de campos minados",
        "reactivacion del uso",
        "enterrando",
        "utilizan las minas",
        "minas son instaladas",
        "ied*",
        "roadside bombs",
        "new mode",
        "nouveau mode",
        "bombes artisanales",
        "engins explosifs improvises",
        "eei",
        "pilles",
        "proliferation",
        "multiplient",
        "siguen utilizando",
        "continuan instalando",
        "resiembra",
        "se siembran",
        "practica vigente",
        "isolated mines",
        "residual",
        "extensive residual",
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
        "undergrowth",
        "rain*",
        "climat*",
        "season*",
        "flood*",
        "rocky",
        "boggy",
        "mountain*",
        "forest*",
        "soil*",
        "infrastructure",
        "environmental",
        "pluie*",
        "oued*",
        "desertification",
        "infrastructures",
        "recule",
        "accidente",
        "typologie du terrain",
        "selva*",
        "lluvia*",
        "clima*",
        "climatica*",
        "huracan",
        "inundacion*",
        "crecidas",
        "montanos*",
        "humedos",
        "dificil acceso",
        "grados bajo cero",
        "dunes",
        "dune",
        "sable",
        "vents",
        "chaleurs",
        "inondations",
        "coulees de boue",
        "fonte des neiges",
        "orografia",
        "montanosa",
        "agrestes",
        "inhospito",
        "meteorologicas",
        "condiciones climaticas",
        "caminar una hora",
        "secondary hazards",
        "pipelines",
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
        "data",
        "information",
        "records",
        "recording",
        "mapping",
        "maps",
        "estimate",
        "quantified",
        "no one knows",
        "baseline",
        "extent",
        "verifying",
        "definition",
        "donnees",
        "cartograph*",
        "localisation",
        "estimation*",
        "rapport de transparence",
        "personne ne sait",
        "delimite*",
        "image precise",
        "datos",
        "informacion",
        "mapas",
        "registros",
        "se desconoce",
        "nadie sabe",
        "precisar",
        "rastrear",
        "ubicar",
        "unreported",
        "not complete",
        "incomplete",
        "gaps in information",
        "difficult to definitively",
        "revise estimates",
        "quality of the data",
        "reporting data",
        "precise extent",
        "no approved",
        "inconnue",
        "pas terminees",
        "image claire",
        "manque de clarte",
        "sans aucun plan",
        "informations plus specifiques",
        "rapport de transparence",
        "subregistro",
        "no existe un estudio",
        "no informadas",
        "sin un procedimiento",
        "georreferenciacion",
        "sin patron",
        "cifra oficial",
        "precisar cuantas",
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
        "legislation",
        "ministry",
        "ministries",
        "ownership",
        "institutions",
        "stakeholders",
        "bureaucratic",
        "state structures",
        "separate manner",
        "interministeriel",
        "legiferer",
        "legislacion",
        "interinstitucional",
        "planeacion",
        "directriz",
        "articulacion",
        "instituciones",
        "cohesionadas",
        "administrative framework",
        "ownership",
        "owning",
        "self-sufficiency",
        "take charge",
        "separate manner",
        "rigid approach",
        "co-ordination",
        "projet de loi",
        "sous forme de projet",
        "n'a pas encore ete adoptee",
        "a l'examen",
        "difficultes de gestion",
        "transparence financiere",
        "ne semblent pas correspondre",
        "autorite nationale",
        "engorrosa",
        "entes estatales",
        "sanciones penales",
        "preparando legislacion",
    ),
}


def _pattern(cues: Sequence[str]) -> re.Pattern[str]:
    parts = []
    for cue in sorted({fold(c) for c in cues}, key=lambda c: (-len(c), c)):
        if cue.endswith("*"):
            parts.append(r"\b" + re.escape(cue[:-1]) + r"\w*")
        else:
            parts.append(r"\b" + re.escape(cue) + r"\b")
    return re.compile("|".join(parts))


PATTERNS = {code: _pattern(cues) for code, cues in CUES.items()}


@dataclass(frozen=True)
class Suggestion:
    """One category a passage states, why (``evidence``) and how sure (0 to 1)."""

    category: str
    confidence: float
    evidence: str
    method: str = METHOD


# --- the model of this process --------------------------------------------------------

_lock = threading.Lock()
_cached: dict[str, Any] = {"key": None, "model": None}


def _latest_run() -> tuple[int, str] | None:
    from minefree.knowledge.models import TrainingRun

    run = TrainingRun.objects.order_by("-created_at", "-pk").values_list("pk", "created_at").first()
    return (run[0], run[1].isoformat()) if run else None


def decisions() -> list[tuple[int, str, str, str, str]]:
    """People's decisions on labels, as training data: (passage, text, language,
    category, status), confirmed or rejected."""
    from minefree.knowledge.models import LabelStatus, PassageLabel

    return list(
        PassageLabel.objects.filter(status__in=[LabelStatus.CONFIRMED, LabelStatus.REJECTED])
        .order_by("passage_id", "category")
        .values_list("passage_id", "passage__text", "passage__language", "category", "status")
    )


def build_model() -> Model:
    """Train on the labelled set's train split and people's decisions (deterministic)."""
    examples = training.set_examples(training.load_set())
    examples += training.corrections_of(decisions())
    return training.train(examples, PATTERNS)


def current_model() -> Model:
    """This process's model: trained on first use, again after a newer training run."""
    key = _latest_run()
    with _lock:
        if _cached["model"] is None or _cached["key"] != key:
            _cached["model"] = build_model()
            _cached["key"] = key
        return _cached["model"]  # type: ignore[no-any-return]


def install(model: Model, key: tuple[int, str] | None) -> None:
    """Use ``model`` for the run ``key`` (the service that just trained it)."""
    with _lock:
        _cached["model"], _cached["key"] = model, key


def forget() -> None:
    """Drop this process's model (tests start from the set and their own decisions)."""
    install(None, None)  # type: ignore[arg-type]


# --- classification -------------------------------------------------------------------


def _evidence(model: Model, matrix: Any, i: int, k: int, code: str, folded: str) -> str:
    found = sorted({m.group(0) for m in PATTERNS[code].finditer(folded)})
    if found:
        return "; ".join(found[:3])
    start, end = matrix.indptr[i], matrix.indptr[i + 1]
    columns = matrix.indices[start:end]
    weights = matrix.data[start:end] * model.coef[k, columns]
    words = len(model.features.words)
    names = model.features.word_names()
    terms: list[str] = []
    for n in weights.argsort()[::-1]:
        if weights[n] <= 0 or len(terms) == 3:
            break
        column = int(columns[n])
        if column < words:
            terms.append(names[column])
    return ", ".join(terms)


def classify(
    texts: Sequence[str], languages: Sequence[str] | None = None
) -> list[list[Suggestion]]:
    """The categories each text states; ``[none]`` for a text that states no challenge."""
    if not texts:
        return []
    languages = list(languages) if languages is not None else ["other"] * len(texts)
    model = current_model()
    probabilities, matrix, folded = model.probabilities(texts, languages)
    results = []
    for i, row in enumerate(probabilities):
        found = [
            Suggestion(
                code, round(float(row[k]), 2), _evidence(model, matrix, i, k, code, folded[i])
            )
            for k, code in enumerate(model.codes)
            if row[k] >= THRESHOLD
        ]
        if not found:
            found.append(Suggestion("none", round(float(1 - row.max()), 2), ""))
        found.sort(key=lambda s: -s.confidence)
        results.append(found)
    return results
