"""Classification of challenges: macro-F1 and per-category F1 on the labelled set's eval
split, and the time to classify 10,000 passages, with the full synthetic Article 7 history
loaded.

Untimed set-up, on a fresh database: migrate, the reference data, the demo accounts and the
synthetic Article 7 history (``load-demo-history``, through the import service, whose
submissions index their passages). The 10,000 passages are the history's passages, then
passages made from the labelled set's sentences (two or three joined, fixed seed) until
there are 10,000, each with its language.

Measured:

* ``eval_macro_f1`` and ``eval_f1``: the model trained on the set's train split (and the
  database's label decisions: none here) on the eval split; the mean of the eight
  categories' F1 and that of "none";
* ``train_s``: training once (what a process does on first use);
* ``classify_10000_s``: ``classify.classify`` of the 10,000 passages, three rounds, best kept.

Targets: macro-F1 at least 0.8; 10,000 passages in under 5 s.

    python bench/knowledge_classify.py                 # temporary SQLite file, prints JSON
    DATABASE_URL=postgres://... python bench/knowledge_classify.py --name n --results r.json
"""

from __future__ import annotations

import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, Json, bench_parser, machine_info, record_on_own_database

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minefree.settings")

SEED = 2024
PASSAGES = 10_000
F1_TARGET = 0.8
SPEED_TARGET_S = 5.0
ROUNDS = 3


def _passages() -> tuple[list[str], list[str], int]:
    """The history's passages, completed with passages made of the set's sentences."""
    from minefree.knowledge import training
    from minefree.knowledge.models import Passage

    history = list(Passage.objects.order_by("pk").values_list("text", "language")[:PASSAGES])
    texts = [text for text, _ in history]
    languages = [language for _, language in history]
    by_language: dict[str, list[str]] = {}
    for row in training.load_set():
        by_language.setdefault(row.language, []).append(row.text)
    rng = random.Random(SEED)
    while len(texts) < PASSAGES:
        language = rng.choice(sorted(by_language))
        texts.append(" ".join(rng.sample(by_language[language], rng.randint(2, 3))))
        languages.append(language)
    return texts, languages, len(history)


def run(rounds: int) -> Json:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from minefree.knowledge import classify, training

    started = time.monotonic()
    quiet = io.StringIO()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_reference", quiet=True, stdout=quiet)
    call_command("demo_accounts", stdout=quiet)
    call_command("load_demo_history", quiet=True, stdout=quiet)
    texts, languages, from_history = _passages()
    setup_s = round(time.monotonic() - started, 1)

    moment = time.perf_counter()
    model = classify.build_model()
    train_s = time.perf_counter() - moment
    classify.install(model, classify._latest_run())
    scores = training.evaluate(model, training.load_set())

    times = []
    labels = 0
    for _ in range(rounds):
        moment = time.perf_counter()
        found = classify.classify(texts, languages)
        times.append(time.perf_counter() - moment)
        labels = sum(len(f) for f in found)
    best = min(times)
    characters = sum(len(t) for t in texts)
    f1_ok = scores.macro_f1 >= F1_TARGET
    speed_ok = best < SPEED_TARGET_S
    worst = sorted(scores.f1.items(), key=lambda item: item[1])[:3]
    return {
        "description": (
            "challenge classification: macro-F1 on the labelled set's eval split, and "
            "classify.classify of 10,000 passages (the synthetic history's, completed with "
            "passages made of the set's sentences)"
        ),
        "database": connection.vendor,
        "measured": {
            "method": classify.METHOD,
            "eval_passages": scores.passages,
            "eval_macro_f1": scores.macro_f1,
            "eval_f1": scores.f1,
            "train_passages": model.set_passages,
            "corrections": model.corrections,
            "train_s": round(train_s, 3),
            "passages": len(texts),
            "passages_from_history": from_history,
            "characters": characters,
            "classify_10000_s": round(best, 4),
            "classify_rounds_s": [round(t, 4) for t in times],
            "labels": labels,
            "setup_s": setup_s,
        },
        "ratios": {},
        "targets": {
            "eval_macro_f1": {"min": F1_TARGET, "pass": f1_ok, "value": scores.macro_f1},
            "classify_10000_s": {"max": SPEED_TARGET_S, "pass": speed_ok, "value": round(best, 4)},
        },
        "pass": f1_ok and speed_ok,
        "summary_lines": [
            f"eval split ({scores.passages} passages): macro-F1 {scores.macro_f1:.3f} "
            f"(target {F1_TARGET}); weakest " + ", ".join(f"{code} {f1:.2f}" for code, f1 in worst),
            f"{len(texts)} passages ({from_history} from the history, {characters} characters): "
            f"{best:.2f} s (target {SPEED_TARGET_S:.0f} s); training {train_s:.2f} s",
        ],
        "machine": machine_info(),
        "seconds": round(time.monotonic() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser("Challenge classification.", name="knowledge_classify")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="timed rounds (best is kept)")
    args = parser.parse_args(argv)
    return record_on_own_database(
        args.name, args.results, lambda: run(max(1, args.rounds)), prefix="knowledge-classify"
    )


if __name__ == "__main__":
    sys.exit(main())
