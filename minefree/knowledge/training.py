"""The classifier of challenges, trained: the project's labelled set of public passages
(``data/knowledge/challenges.csv``), people's decisions on labels as corrections, the
features, the one-vs-rest logistic regressions and their evaluation.

Everything here is deterministic: the same set and the same decisions give the same model
(fixed feature order, liblinear with a fixed ``random_state``), so a training run can be
repeated and a regression shows in the scores. Nothing is stored as a pickle: a process
trains its model from the set and the database when it first needs one
(``classify.current_model``). The method is described in ``docs/knowledge-classification.md``.
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]

from minefree.knowledge.taxonomy import CHALLENGE_CODES
from minefree.knowledge.text import STOPWORDS

SET_PATH = Path(__file__).resolve().parents[2] / "data" / "knowledge" / "challenges.csv"
LANGUAGES = ("en", "fr", "es")
#: share of each stratum (language × rarest label) held out for evaluation
EVAL_SHARE = 0.3
#: a person's decision weighs more than a passage of the set: it is about this very system's
#: passages, and it was taken because the model was wrong
CORRECTION_WEIGHT = 3.0
#: a category is suggested from this probability on
THRESHOLD = 0.5
#: inverse regularisation strength of each logistic regression (chosen by 5-fold
#: cross-validation on the train split only, ``cross_validate``: 0.5 to 8 tried)
C = 2.0
#: folds of ``cross_validate``
CV_FOLDS = 5
#: the weight of the cue indicators next to the l2-normalised text features
CUE_SCALE = 1.0
CHAR_NGRAMS = (3, 4, 5)
CHAR_MIN_DF = 2
WORD = re.compile(r"\w+")
SPACES = re.compile(r"\s+")
METHOD = "tfidf-cues-logreg-2"

# --- normalisation --------------------------------------------------------------------

_COMBINING = {cp: None for cp in range(sys.maxunicode + 1) if unicodedata.combining(chr(cp))} | {
    0x2019: "'",
    0x2018: "'",
}


def fold(text: str) -> str:
    """Lower case without accents ("Déminage" → "deminage"), in C speed: the classifier
    folds every passage it reads."""
    return unicodedata.normalize("NFKD", text.casefold()).translate(_COMBINING)


_STOPWORDS = {lang: frozenset(fold(w) for w in words) for lang, words in STOPWORDS.items()}
#: French elisions (l', d', qu'...) split off by the tokenizer are dropped with the stop words
_ELIDED = frozenset({"l", "d", "qu", "s", "n", "c", "j", "m", "t"})


def tokens(folded: str, language: str) -> list[str]:
    """The words a passage's word features are made of: folded, the language's frequent
    words (and French elisions) dropped, so that "lack of funding" and "lack funding" meet."""
    stop = _STOPWORDS.get(language, frozenset())
    elided = _ELIDED if language == "fr" else frozenset()
    return [w for w in WORD.findall(folded) if w not in stop and w not in elided]


# --- the labelled set -----------------------------------------------------------------


@dataclass(frozen=True)
class LabelledPassage:
    """A passage of the labelled set: quoted from a public text, with its labels."""

    id: str
    language: str
    text: str
    labels: frozenset[str]
    source_url: str
    source_title: str
    split: str
    #: the addition the passage came with (1: the first 326); a split is drawn within one
    batch: int = 1


def load_set(path: Path = SET_PATH) -> list[LabelledPassage]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            LabelledPassage(
                id=row["id"],
                language=row["language"],
                text=row["text"],
                labels=frozenset(row["labels"].split(";")),
                source_url=row["source_url"],
                source_title=row["source_title"],
                split=row["split"],
                batch=int(row.get("batch") or 1),
            )
            for row in csv.DictReader(handle)
        ]


def assign_splits(rows: Sequence[LabelledPassage]) -> dict[str, str]:
    """The fixed train/eval split, drawn once per addition (``batch``) so that adding
    passages never moves a passage already split: within each stratum of a batch
    (language × the passage's rarest label, counted over the set as it stood with that
    batch), passages in the order of a hash of their id, every third-or-so to eval."""
    splits: dict[str, str] = {}
    for batch in sorted({row.batch for row in rows}):
        known = [row for row in rows if row.batch <= batch]
        frequency = Counter(label for row in known for label in row.labels)
        strata: dict[tuple[str, str], list[LabelledPassage]] = defaultdict(list)
        for row in known:
            if row.batch != batch:
                continue
            rarest = min(row.labels, key=lambda label: (frequency[label], label))
            strata[(row.language, rarest)].append(row)
        for members in strata.values():
            members.sort(key=lambda row: hashlib.sha256(row.id.encode()).hexdigest())
            for n, row in enumerate(members):
                held = math.floor((n + 1) * EVAL_SHARE + 0.5) > math.floor(n * EVAL_SHARE + 0.5)
                splits[row.id] = "eval" if held else "train"
    return splits


# --- training examples ----------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    """What one passage teaches: the categories it states, those it does not (any other
    category is unknown for a correction), and how much it weighs."""

    text: str
    language: str
    positive: frozenset[str]
    negative: frozenset[str]
    weight: float = 1.0
    source: str = "set"  # or "correction"


def set_examples(rows: Iterable[LabelledPassage], split: str = "train") -> list[Example]:
    examples = []
    for row in rows:
        if row.split != split:
            continue
        positive = frozenset(row.labels & set(CHALLENGE_CODES))
        examples.append(
            Example(row.text, row.language, positive, frozenset(CHALLENGE_CODES) - positive)
        )
    return examples


def corrections_of(decisions: Iterable[tuple[int, str, str, str, str]]) -> list[Example]:
    """Examples from people's decisions ``(passage id, text, language, category, status)``:
    a confirmed category is one the passage states, a rejected one one it does not; a
    confirmed "none" says it states none of them."""
    by_passage: dict[int, dict[str, Any]] = {}
    for pk, text, language, category, status in decisions:
        entry = by_passage.setdefault(
            pk, {"text": text, "language": language, "pos": set(), "neg": set()}
        )
        if category == "none":
            if status == "confirmed":
                entry["neg"] |= set(CHALLENGE_CODES)
            continue
        if category in CHALLENGE_CODES:
            entry["pos" if status == "confirmed" else "neg"].add(category)
    examples = []
    for pk in sorted(by_passage):
        entry = by_passage[pk]
        positive = frozenset(entry["pos"])
        negative = frozenset(entry["neg"]) - positive
        if positive or negative:
            examples.append(
                Example(
                    entry["text"],
                    entry["language"],
                    positive,
                    negative,
                    CORRECTION_WEIGHT,
                    "correction",
                )
            )
    return examples


# --- features -------------------------------------------------------------------------


def _grams(word: str) -> list[str]:
    padded = f" {word} "
    return [padded[i : i + n] for n in CHAR_NGRAMS for i in range(len(padded) - n + 1)]


def _idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    return np.log((1 + n_docs) / (1 + df)) + 1.0


def _weigh(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear tf × idf, each row of unit length."""
    weighted = counts.astype(np.float64).tocsr()
    weighted.data = 1.0 + np.log(weighted.data)
    weighted = weighted @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ weighted)


@dataclass
class Features:
    """Word uni- and bigrams and character 3- to 5-grams of the words (tf-idf each), plus
    one indicator per category of its cue phrases. Character n-grams are counted per
    distinct word and cached, which keeps 10,000 passages well under a second."""

    cues: dict[str, re.Pattern[str]]
    words: dict[str, int] = field(default_factory=dict)
    word_idf: np.ndarray = field(default_factory=lambda: np.zeros(0))
    chars: dict[str, int] = field(default_factory=dict)
    char_idf: np.ndarray = field(default_factory=lambda: np.zeros(0))
    _char_rows: dict[str, tuple[list[int], list[int]]] = field(default_factory=dict)
    _word_names: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.words) + len(self.chars) + len(self.cues)

    def word_names(self) -> list[str]:
        """The word n-gram of each word column (the evidence of a label), computed once."""
        if len(self._word_names) != len(self.words):
            self._word_names = sorted(self.words, key=self.words.__getitem__)
        return self._word_names

    @staticmethod
    def _word_grams(words: list[str]) -> list[str]:
        return words + [f"{a} {b}" for a, b in pairwise(words)]

    def fit(self, folded: Sequence[str], languages: Sequence[str]) -> None:
        word_df: Counter[str] = Counter()
        char_df: Counter[str] = Counter()
        for text, language in zip(folded, languages, strict=True):
            words = tokens(text, language)
            word_df.update(set(self._word_grams(words)))
            char_df.update({g for w in set(WORD.findall(text)) for g in _grams(w)})
        n_docs = len(folded)
        self.words = {g: n for n, g in enumerate(sorted(word_df))}
        self.word_idf = _idf(np.array([word_df[g] for g in sorted(word_df)], float), n_docs)
        kept = sorted(g for g, df in char_df.items() if df >= CHAR_MIN_DF)
        self.chars = {g: n for n, g in enumerate(kept)}
        self.char_idf = _idf(np.array([char_df[g] for g in kept], float), n_docs)
        self._char_rows = {}

    def _char_row(self, word: str) -> tuple[list[int], list[int]]:
        row = self._char_rows.get(word)
        if row is None:
            counts = Counter(self.chars[g] for g in _grams(word) if g in self.chars)
            row = (list(counts), list(counts.values()))
            if len(self._char_rows) < 500_000:
                self._char_rows[word] = row
        return row

    def transform(self, folded: Sequence[str], languages: Sequence[str]) -> sparse.csr_matrix:
        n = len(folded)
        # word n-grams
        rows, cols = [], []
        vocabulary = self.words
        for i, (text, language) in enumerate(zip(folded, languages, strict=True)):
            grams = self._word_grams(tokens(text, language))
            found = [vocabulary[g] for g in grams if g in vocabulary]
            rows.extend([i] * len(found))
            cols.extend(found)
        word_counts = sparse.csr_matrix(
            (np.ones(len(cols)), (rows, cols)), shape=(n, len(self.words))
        )
        # character n-grams: documents × distinct words, times words × n-grams
        distinct: dict[str, int] = {}
        rows, cols = [], []
        for i, text in enumerate(folded):
            for word in WORD.findall(text):
                rows.append(i)
                cols.append(distinct.setdefault(word, len(distinct)))
        per_doc = sparse.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(n, len(distinct)))
        g_rows, g_cols, g_data = [], [], []
        for word, k in distinct.items():
            ids, counts = self._char_row(word)
            g_rows.extend([k] * len(ids))
            g_cols.extend(ids)
            g_data.extend(counts)
        grams = sparse.csr_matrix(
            (np.array(g_data, float), (g_rows, g_cols)), shape=(len(distinct), len(self.chars))
        )
        char_counts = per_doc @ grams
        cue_block = sparse.csr_matrix(
            [
                [CUE_SCALE if pattern.search(text) else 0.0 for pattern in self.cues.values()]
                for text in folded
            ],
            shape=(n, len(self.cues)),
        )
        return sparse.hstack(
            [_weigh(word_counts, self.word_idf), _weigh(char_counts, self.char_idf), cue_block],
            format="csr",
        )


# --- the model ------------------------------------------------------------------------


@dataclass
class Model:
    """One logistic regression per category over the same features."""

    features: Features
    codes: tuple[str, ...]
    coef: np.ndarray  # categories × features
    intercept: np.ndarray
    set_passages: int = 0
    corrections: int = 0

    def probabilities(self, texts: Sequence[str], languages: Sequence[str]) -> Any:
        """The probability of each category (columns in ``codes`` order) for each text,
        and the feature matrix the evidence is read from."""
        folded = [SPACES.sub(" ", fold(t)) for t in texts]
        matrix = self.features.transform(folded, languages)
        scores = np.asarray(matrix @ self.coef.T) + self.intercept
        return 1.0 / (1.0 + np.exp(-scores)), matrix, folded


def train(examples: Sequence[Example], cues: dict[str, re.Pattern[str]]) -> Model:
    """Fit the features on every example's text and one regression per category on the
    examples whose answer for it is known (all of the set's, a correction's decided ones)."""
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    folded = [SPACES.sub(" ", fold(e.text)) for e in examples]
    languages = [e.language for e in examples]
    features = Features(cues=cues)
    features.fit(folded, languages)
    matrix = features.transform(folded, languages)
    coef = np.zeros((len(CHALLENGE_CODES), features.size))
    intercept = np.full(len(CHALLENGE_CODES), -20.0)  # a category never seen is never suggested
    for k, code in enumerate(CHALLENGE_CODES):
        known = [i for i, e in enumerate(examples) if code in e.positive or code in e.negative]
        labels = np.array([code in examples[i].positive for i in known])
        if not known or labels.all() or not labels.any():
            continue
        model = LogisticRegression(
            C=C, class_weight="balanced", solver="liblinear", random_state=0, max_iter=1000
        )
        model.fit(
            matrix[known], labels, sample_weight=np.array([examples[i].weight for i in known])
        )
        coef[k] = model.coef_[0]
        intercept[k] = model.intercept_[0]
    return Model(
        features=features,
        codes=CHALLENGE_CODES,
        coef=coef,
        intercept=intercept,
        set_passages=sum(1 for e in examples if e.source == "set"),
        corrections=sum(1 for e in examples if e.source == "correction"),
    )


# --- evaluation -----------------------------------------------------------------------


@dataclass(frozen=True)
class Scores:
    """F1 of each category (and of "none": no category suggested) on a set of passages."""

    f1: dict[str, float]
    passages: int

    @property
    def macro_f1(self) -> float:
        return round(sum(self.f1.values()) / len(self.f1), 4) if self.f1 else 0.0


def f1_scores(
    truth: Sequence[frozenset[str]], predicted: Sequence[frozenset[str]]
) -> dict[str, float]:
    """F1 per category over passages; a passage with no challenge counts as "none"."""
    scores = {}
    for code in (*CHALLENGE_CODES, "none"):
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if code in t and code in p)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if code not in t and code in p)
        fn = sum(1 for t, p in zip(truth, predicted, strict=True) if code in t and code not in p)
        scores[code] = round(2 * tp / (2 * tp + fp + fn), 4) if tp + fp + fn else 1.0
    return scores


def predicted_codes(probabilities: np.ndarray, codes: Sequence[str]) -> list[frozenset[str]]:
    found = []
    for row in probabilities:
        chosen = frozenset(code for code, p in zip(codes, row, strict=True) if p >= THRESHOLD)
        found.append(chosen or frozenset({"none"}))
    return found


def evaluate(model: Model, rows: Sequence[LabelledPassage], split: str = "eval") -> Scores:
    held = [row for row in rows if row.split == split]
    probabilities, _matrix, _folded = model.probabilities(
        [row.text for row in held], [row.language for row in held]
    )
    predicted = predicted_codes(probabilities, model.codes)
    return Scores(f1_scores([row.labels for row in held], predicted), len(held))


def cross_validate(
    rows: Sequence[LabelledPassage],
    cues: dict[str, re.Pattern[str]],
    folds: int = CV_FOLDS,
) -> Scores:
    """F1 by k-fold cross-validation on the train split only (the eval split is never
    read): each train passage is predicted by a model trained on the other folds (fold =
    SHA-256 of ``"cv" + id`` modulo ``folds``), and the out-of-fold predictions are scored
    together. This is how the method's settings are chosen."""
    held = [row for row in rows if row.split == "train"]
    fold_of = [int(hashlib.sha256(f"cv{row.id}".encode()).hexdigest(), 16) % folds for row in held]
    predicted: list[frozenset[str]] = [frozenset()] * len(held)
    for k in range(folds):
        model = train(
            set_examples([row for row, f in zip(held, fold_of, strict=True) if f != k]), cues
        )
        tested = [i for i, f in enumerate(fold_of) if f == k]
        probabilities, _matrix, _folded = model.probabilities(
            [held[i].text for i in tested], [held[i].language for i in tested]
        )
        for i, found in zip(tested, predicted_codes(probabilities, model.codes), strict=True):
            predicted[i] = found
    return Scores(f1_scores([row.labels for row in held], predicted), len(held))
