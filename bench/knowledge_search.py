"""Knowledge base search: ``knowledge.search.search`` over 20,000 synthetic documents'
passages, with the full synthetic Article 7 history loaded.

Untimed set-up, on a fresh database: migrate, the reference data, the demo accounts, the
synthetic Article 7 history (``load-demo-history``: its submitted reports' narratives become
passages through the knowledge base's hook), then 20,000 synthetic documents (``origin``
synthetic, fixed seed) in English, French and Spanish, one to three passages each, drawn
from a varied vocabulary (topics of the Convention's work, places, numbers), some shared
with States Parties or the committees only. They go in by the bulk path that also indexes
them: documents and passages in bulk, the classifier's labels in bulk, then
``fulltext.index_passages``. On PostgreSQL followed by ``ANALYZE``.

Timed: every query of a fixed mix (single words, phrases, accented French, Spanish, with
facets and filters, browsing) as an anonymous visitor and as a committee member, several
rounds; each call of ``search`` (hits, total and every facet) timed on its own. Target:
p95 under 30 ms, on SQLite and PostgreSQL.

    python bench/knowledge_search.py                 # temporary SQLite file, prints JSON
    DATABASE_URL=postgres://... python bench/knowledge_search.py --name n --results r.json

``--reuse`` (with a ``DATABASE_URL`` that outlives the run) keeps a database this script
already loaded: migrations still run, the loading is skipped when the 20,000 synthetic
documents are there. For trying changes to the search; recorded figures come from a fresh
load (``setup_s`` says 0 when reused).
"""

from __future__ import annotations

import io
import os
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, Json, bench_parser, machine_info, record_on_own_database

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minefree.settings")

SEED = 2026
DOCUMENTS = 20_000
ROUNDS = 5
TARGET_P95_MS = 30.0

#: sentence parts by language: each passage draws several, so words and their forms vary
TOPICS = {
    "en": [
        "the {lack|shortage|absence} of {funding|financing|resources|donor support} {delayed|slowed|halted} {place} {clearance|demining|survey} operations",
        "{technical|non-technical} survey {teams|operators} released {n} square metres near {place}",
        "victim assistance {services|programmes|centres} reached {n} {survivors|victims|families} in {place}",
        "explosive ordnance risk education sessions were held in {n} schools of {place}",
        "the national mine action {authority|centre|commission} {coordinated|met|briefed} {operators|donors|ministries}",
        "{heavy rains|floods|the monsoon|snow} and {dense vegetation|steep terrain|landslides} slowed the {demining|survey|clearance} teams",
        "{insecurity|armed conflict|armed groups} prevented access to {mined|suspected|contaminated} areas in {place}",
        "new contamination with {improvised mines|booby traps|cluster munition remnants} was found along the {border|river|railway}",
        "the database was updated with {n} hazardous areas",
        "stockpiled anti-personnel mines were destroyed under Article 4",
        "capacity building trained {n} deminers and medical staff",
        "international cooperation and assistance funded prosthetics in {place}",
        "quality management of land release followed national standards",
        "the completion deadline under Article 5 requires more clearance capacity",
    ],
    "fr": [
        "le {manque|déficit|retard} de {financement|ressources|fonds} a {retardé|ralenti|suspendu} le {déminage|deminage|relevé} à {place}",
        "les équipes d'enquête technique ont remis à disposition {n} mètres carrés",
        "l'assistance aux victimes a atteint {n} survivants dans la région de {place}",
        "des séances d'éducation aux risques ont eu lieu dans {n} écoles",
        "l'autorité nationale de l'action contre les mines coordonne les opérateurs",
        "les {pluies|inondations|crues} et la {végétation dense|topographie|forêt} ont ralenti les opérations de {deminage|déminage|dépollution}",
        "l'{insécurité|instabilité|présence de groupes armés} empêche l'accès aux zones {minées|suspectes|dangereuses} près de {place}",
        "une nouvelle contamination par des engins explosifs improvisés a été découverte",
        "la base de données compte {n} zones dangereuses",
        "les stocks de mines antipersonnel ont été détruits conformément à l'article 4",
        "le renforcement des capacités a formé {n} démineurs",
        "la coopération internationale a financé des prothèses à {place}",
    ],
    "es": [
        "la {falta|escasez|reducción} de {financiación|recursos|fondos} {retrasó|frenó|detuvo} el {desminado|despeje|estudio} en {place}",
        "los equipos de estudio técnico liberaron {n} metros cuadrados",
        "la asistencia a las {víctimas|familias|comunidades} llegó a {n} {sobrevivientes|personas|hogares} en {place}",
        "se impartió educación sobre el riesgo de minas en {n} escuelas",
        "la autoridad nacional de acción contra minas coordinó a los operadores",
        "las lluvias y la vegetación densa frenaron las operaciones de desminado",
        "la {inseguridad|violencia|presencia de grupos armados} impidió el acceso a zonas {minadas|sospechosas|peligrosas}",
        "se encontró nueva contaminación con artefactos explosivos improvisados",
        "la base de datos registra {n} áreas peligrosas",
        "las existencias de minas antipersonal fueron destruidas según el artículo 4",
        "el fortalecimiento de capacidades formó a {n} desminadores",
        "la cooperación internacional financió prótesis en {place}",
    ],
}
SYLLABLES = ["ka", "lo", "ma", "ri", "san", "ta", "vel", "qu", "do", "ne", "bar", "zi", "mon", "tu"]
KINDS = ["statement", "guidance", "study", "visit_report", "other"]
PILLARS = ["survey_clearance", "risk_education", "victim_assistance", "stockpile_destruction"]

#: the timed mix: (query, filters); each runs as an anonymous visitor and a committee member
QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("funding", {}),
    ("déminage", {}),
    ("deminage financement", {}),
    ('"technical survey"', {}),
    ("desminado", {"languages": ("es",)}),
    ("víctimas sobrevivientes", {}),
    ("improvised mines border", {}),
    ("clearance", {"languages": ("en",), "year_from": 2015}),
    ("financement", {"kinds": ("statement",), "states": ("COL",)}),
    ("funding", {"categories": ("financial",)}),
    ("victim assistance", {"articles": (5,)}),
    ("prothèses", {"pillars": ("victim_assistance",)}),
    ("", {"states": ("AFG",)}),
    ("", {"kinds": ("study",), "years": (2019,)}),
]


def _place(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def _varied(template: str, rng: random.Random) -> str:
    """One of the wordings a template allows: ``{a|b|c}`` picks one."""
    return re.sub(r"\{([^{}]*\|[^{}]*)\}", lambda m: rng.choice(m.group(1).split("|")), template)


def _text(rng: random.Random, lang: str, places: list[str]) -> str:
    parts = rng.sample(TOPICS[lang], rng.randint(2, 4))
    sentences = [
        _varied(p, rng).format(place=rng.choice(places), n=rng.randint(2, 9000)).capitalize() + "."
        for p in parts
    ]
    return " ".join(sentences)


def _documents(rng: random.Random) -> int:
    """The synthetic documents and their passages, indexed (untimed)."""
    import datetime as dt

    from minefree.core.models import Origin
    from minefree.knowledge import classify, fulltext
    from minefree.knowledge.models import Document, Passage, PassageLabel
    from minefree.registry.selectors import parties_on

    states = list(parties_on(dt.date.today()))
    places = [_place(rng) for _ in range(3000)]
    documents: list[Document] = []
    plans: list[tuple[int, str, int, str, Any, list[str]]] = []
    for n in range(DOCUMENTS):
        lang = rng.choice(["en", "en", "fr", "es"])
        kind = rng.choice(KINDS)
        year = rng.randint(2000, 2025)
        visibility = rng.choices(["public", "states_parties", "committee"], [8, 1, 1])[0]
        state = rng.choice(states)
        documents.append(
            Document(
                title=f"Synthetic {kind} {n}",
                kind=kind,
                language=lang,
                year=year,
                articles=rng.sample([2, 4, 5, 6, 7, 9], rng.randint(0, 2)),
                pillars=rng.sample(PILLARS, rng.randint(0, 2)),
                visibility=visibility,
                origin=Origin.SYNTHETIC,
            )
        )
        texts = [_text(rng, lang, places) for _ in range(rng.randint(1, 3))]
        plans.append((n, lang, year, visibility, state, texts))
    Document.objects.bulk_create(documents, batch_size=2000)
    passages = [
        Passage(
            source_kind="knowledge.document",
            source_id=str(documents[n].pk),
            locator=f"{position}",
            url=f"/synthetic/documents/{documents[n].pk}/",
            document=documents[n],
            state=state,
            year=year,
            kind=documents[n].kind,
            language=lang,
            text=text,
            visibility=visibility,
            origin=Origin.SYNTHETIC,
            position=position,
        )
        for n, lang, year, visibility, state, texts in plans
        for position, text in enumerate(texts, 1)
    ]
    Passage.objects.bulk_create(passages, batch_size=2000)
    found = classify.classify([p.text for p in passages], [p.language for p in passages])
    labels = [
        PassageLabel(
            passage=p, category=s.category, confidence=s.confidence, evidence=s.evidence[:500]
        )
        for p, suggestions in zip(passages, found, strict=True)
        for s in suggestions
    ]
    PassageLabel.objects.bulk_create(labels, batch_size=5000)
    fulltext.index_passages(passages)
    return len(passages)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(rounds: int, reuse: bool = False) -> Json:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from minefree.knowledge import fulltext
    from minefree.knowledge.models import Passage
    from minefree.knowledge.search import SearchFilters, search
    from minefree.reporting.models import Article7Report

    started = time.monotonic()
    quiet = io.StringIO()
    from minefree.core.models import Origin
    from minefree.knowledge.models import Document

    call_command("migrate", "--noinput", verbosity=0)
    translation.activate("en")
    loaded = reuse and Document.objects.filter(origin=Origin.SYNTHETIC).count() == DOCUMENTS
    if loaded:
        synthetic = Passage.objects.filter(document__origin=Origin.SYNTHETIC).count()
        history_passages = Passage.objects.count() - synthetic
    else:
        call_command("load_reference", quiet=True, stdout=quiet)
        call_command("demo_accounts", stdout=quiet)
        call_command("load_demo_history", quiet=True, stdout=quiet)
        translation.activate("en")
        history_passages = Passage.objects.count()
        synthetic = _documents(random.Random(SEED))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    setup_s = 0.0 if loaded else round(time.monotonic() - started, 1)

    readers = {
        "anonymous": None,
        "committee_member": get_user_model().objects.get(username="committee_chair"),
    }
    mix = [(q, SearchFilters(**f)) for q, f in QUERIES]
    for user in readers.values():  # warm-up: stemmers, plans, caches
        for query, filters in mix:
            search(user, query, filters)
    times: dict[str, list[float]] = {name: [] for name in readers}
    by_query: dict[str, list[float]] = {}
    totals: dict[str, int] = {}
    for _round in range(rounds):
        for name, user in readers.items():
            for (query, filters), (_query, given) in zip(mix, QUERIES, strict=True):
                moment = time.perf_counter()
                result = search(user, query, filters)
                elapsed = (time.perf_counter() - moment) * 1000
                times[name].append(elapsed)
                key = f"{query or '(browse)'} {given or ''}".strip()
                by_query.setdefault(key, []).append(elapsed)
                totals[f"{name}: {key}"] = result.total
    every = [t for values in times.values() for t in values]
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        search(readers["committee_member"], "deminage financement")
    p50, p95 = _percentile(every, 0.5), _percentile(every, 0.95)
    ok = p95 < TARGET_P95_MS
    slowest = max(by_query.items(), key=lambda item: _percentile(item[1], 0.95))
    return {
        "description": (
            "knowledge.search.search (hits, total and facets) over the passages of 20,000 "
            "synthetic documents and of the synthetic Article 7 history, a fixed mix of "
            "queries as an anonymous visitor and as a committee member"
        ),
        "database": connection.vendor,
        "measured": {
            "passages": Passage.objects.count(),
            "history_passages": history_passages,
            "synthetic_document_passages": synthetic,
            "indexed": fulltext.index_size(),
            "reports": Article7Report.objects.count(),
            "searches": len(every),
            "p50_ms": round(p50, 2),
            "p95_ms": round(p95, 2),
            "max_ms": round(max(every), 2),
            "p95_ms_by_reader": {n: round(_percentile(v, 0.95), 2) for n, v in times.items()},
            "p95_ms_by_query": {k: round(_percentile(v, 0.95), 2) for k, v in by_query.items()},
            "matches": totals,
            "queries_per_search": len(queries.captured_queries),
            "setup_s": setup_s,
        },
        "ratios": {},
        "targets": {
            "p95_ms": {"max": TARGET_P95_MS, "pass": ok, "value": round(p95, 2)},
        },
        "pass": ok,
        "summary_lines": [
            f"{Passage.objects.count()} passages ({synthetic} from 20,000 synthetic documents): "
            f"{len(every)} searches, p50 {p50:.1f} ms, p95 {p95:.1f} ms "
            f"({len(queries.captured_queries)} queries each)",
            f"slowest query: {slowest[0]} (p95 {_percentile(slowest[1], 0.95):.1f} ms)",
            f"target: p95 under {TARGET_P95_MS:.0f} ms",
        ],
        "machine": machine_info(),
        "seconds": round(time.monotonic() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser("Knowledge base search.", name="knowledge_search")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="rounds of the query mix")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep a database this script already loaded (DATABASE_URL needed)",
    )
    args = parser.parse_args(argv)
    if args.reuse and not os.environ.get("DATABASE_URL"):
        parser.error("--reuse needs a DATABASE_URL that outlives the run")
    return record_on_own_database(
        args.name,
        args.results,
        lambda: run(max(1, args.rounds), args.reuse),
        prefix="knowledge-search",
    )


if __name__ == "__main__":
    sys.exit(main())
