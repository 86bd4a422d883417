"""The role classifier: names a slot with a field of the vocabulary, or abstains.

Hashed feature strings feed a multinomial logistic regression. The model is stored as JSON (the
non-zero weights per hashed feature), never pickled, so it can be shipped, diffed and loaded safely.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel
from scipy import sparse
from sklearn.feature_extraction import FeatureHasher
from sklearn.linear_model import LogisticRegression, SGDClassifier

from mailstencil.rules.vocabulary import LINE_ITEM_FIELDS

from .defaults import DEFAULT_MODEL_PATH
from .features import TYPE_PREFIX, SlotFacts, generic_view

__all__ = ["NONE", "RoleModel", "train_model", "DEFAULT_MODEL_PATH", "load_default_model"]

NONE = "none"
STRONG = frozenset(("url", "money", "date", "ip", "email"))  # value classes typed strongly
N_FEATURES = 2**18
# the abstain threshold shipped: a slot named with a lower probability is left unnamed (chosen on
# the leave-one-source-out curve, benchmarks/roles_loso.py, where precision and recall both hold)
THRESHOLD = 0.55


class RoleModelFile(BaseModel):
    """The JSON shape of a stored role model."""

    format: str = "mailstencil.roles/1"
    n_features: int
    classes: list[str]
    intercept: list[float]
    weights: dict[str, list[float]]  # hashed feature index -> weight per class
    link: Literal["softmax", "ovr"] = "softmax"  # multinomial, or one-vs-rest sigmoids normalised
    threshold: float = THRESHOLD
    trained_on: dict[str, int] = {}
    # field -> the value classes its training slots had, each stored with the ``tc:`` prefix of
    # its feature string: a field is never predicted for a slot whose values are of a kind it was
    # never seen with (a date is no name)
    types: dict[str, list[str]] = {}
    # slots among the training labels that an operator's console correction labelled
    # (``train-roles --corrections``); None: trained before the count was recorded
    corrections: int | None = None


class RoleModel:
    """A trained role classifier: ``predict`` gives the best field and its probability."""

    def __init__(self, spec: RoleModelFile) -> None:
        self.spec = spec
        self.classes = spec.classes
        self.threshold = spec.threshold
        self._intercept = np.array(spec.intercept)
        self._w = {int(k): np.array(v) for k, v in spec.weights.items()}
        self._hasher = FeatureHasher(n_features=spec.n_features, input_type="string", alternate_sign=False)
        self._types = {field: frozenset(_stored_class(t) for t in tcs) for field, tcs in spec.types.items()}

    def proba(self, features: list[str]) -> np.ndarray:
        """Class probabilities for one slot's features."""
        x = self._hasher.transform([features])
        x.sort_indices()  # sum in index order: the same floats whatever order the features came in
        z = self._intercept.copy()
        for idx, val in zip(x.indices, x.data, strict=True):
            w = self._w.get(int(idx))
            if w is not None:
                z += val * w
        ovr = self.spec.link == "ovr"
        e = 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50))) if ovr else np.exp(z - z.max())
        total = e.sum()
        return e / total if total > 0 else np.full(len(e), 1.0 / len(e))

    def predict(self, features: list[str], facts: SlotFacts) -> tuple[str, float]:
        """Best field whose gates let the slot through (by its ``facts``), and its probability
        from its ``features``; ``(NONE, p)`` when 'no field' wins."""
        p = self.proba(features)
        if self._types:
            p = np.where([self._fits(c, facts.value_class) for c in self.classes], p, 0.0)
        if facts.multi:  # several values per message: a line-item field or none
            p = np.where([c == NONE or c in LINE_ITEM_FIELDS for c in self.classes], p, 0.0)
        i = int(p.argmax())
        return self.classes[i], float(p[i])

    def _fits(self, field: str, value_class: str) -> bool:
        """Whether a slot of ``value_class`` may be ``field``: a strongly typed value (a URL, an
        amount, a date, an address) only names fields seen with its class, and a field seen with
        strong types only takes slots of those classes."""
        seen = self._types.get(field)
        if field == NONE or seen is None or value_class in seen:
            return True
        return value_class not in STRONG and not STRONG & seen

    def save(self, path: Path) -> None:
        """Write the model as JSON."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.spec.model_dump_json())

    @classmethod
    def load(cls, path: Path) -> RoleModel:
        """Read a model written by :meth:`save`."""
        return cls(RoleModelFile.model_validate(json.loads(path.read_text())))


def _stored_class(stored: str) -> str:
    """A value class as :attr:`RoleModelFile.types` stores it (``tc:money``), read back."""
    return stored.removeprefix(TYPE_PREFIX)


def _fit(
    x: sparse.csr_matrix, y: np.ndarray, kind: Literal["sgd", "lr"], alpha: float, balanced: bool
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """One fit: its classes, its weights (classes x features) and intercepts."""
    weight = "balanced" if balanced else None
    clf: SGDClassifier | LogisticRegression
    if kind == "sgd":
        clf = SGDClassifier(
            loss="log_loss", alpha=alpha, max_iter=30, tol=None, random_state=0, class_weight=weight
        )
    else:
        clf = LogisticRegression(C=1.0 / (alpha * len(y)), max_iter=1000, class_weight=weight)
    clf.fit(x, y)
    coef, intercept = clf.coef_, clf.intercept_
    if coef.shape[0] == 1:  # binary problem: sklearn keeps one row
        half = 1.0 if kind == "sgd" else 0.5  # softmax over (-z/2, z/2) is the sigmoid of z
        coef = np.vstack([-coef[0], coef[0]]) * half
        intercept = np.array([-half * intercept[0], half * intercept[0]])
    return [str(k) for k in clf.classes_], coef, intercept


def train_model(
    features: list[list[str]],
    labels: list[str],
    facts: Sequence[SlotFacts],
    kind: Literal["sgd", "lr"] = "lr",
    alpha: float = 1.5e-4,
    threshold: float = THRESHOLD,
    balanced: bool = True,
    min_count: int = 2,
    groups: Sequence[str | None] | None = None,
    generic: bool = True,
) -> RoleModel:
    """Fit the classifier on slots' features and their labels (``NONE`` for no field); the
    slots' ``facts`` set the type gate (the value classes each field was seen with).

    ``lr``: multinomial logistic regression by L-BFGS (the default: its softmax probabilities are
    far better calibrated than normalised one-vs-rest sigmoids, so the abstain threshold means
    what it says, and it generalizes better to unseen template families); ``sgd``: one-vs-rest
    logistic regression by SGD. ``balanced`` weights classes inversely to their frequency so the
    many unnamed slots do not drown the rare fields. ``min_count`` drops hashed features seen in
    fewer slots than that (a context seen once is one template's idiosyncrasy).

    ``groups`` names the template family of each slot (``None``: in every fit). With two or more
    families the model averages the weights of fits that each leave one family out: a context
    only one family has counts for less, as it would on a sender never seen. Averaging logits of
    linear models is again one linear model, so the artifact stays one set of weights.

    ``generic`` adds each slot a second time in its :func:`~mailstencil.offline.features.generic_view`
    (without its template's own words), so the model also learns to name a slot whose words it
    has never seen, as on a new sender, instead of falling back to "no field" there.
    """
    slots, names = features, labels  # the gates and counts below are of the slots themselves
    if generic:
        features = [*features, *(generic_view(f) for f in features)]
        labels = [*labels, *labels]
        groups = None if groups is None else [*groups, *groups]
    hasher = FeatureHasher(n_features=N_FEATURES, input_type="string", alternate_sign=False)
    full = hasher.transform(features).tocsc()
    # keep the columns seen in at least ``min_count`` slots: a context seen once is a template's
    # idiosyncrasy, not a label; fitting on the compact matrix keeps L-BFGS fast
    df = np.diff(full[: len(slots)].tocsc().indptr)  # counted over the slots, not their views
    active = np.flatnonzero(df >= min_count)
    x = full[:, active].tocsr()
    y = np.array(labels)
    families = sorted({g for g in groups or () if g is not None})
    fam = np.array(["" if g is None else g for g in groups or ()])
    # one fit per family left out; a fit needs two classes, so a family that holds all but one
    # class is never left out; with fewer than two families, one fit on everything
    fits = [
        _fit(x[fam != g], y[fam != g], kind, alpha, balanced)
        for g in (families if len(families) >= 2 else [])
        if len(set(y[fam != g])) >= 2
    ] or [_fit(x, y, kind, alpha, balanced)]
    classes = sorted({c for cs, _, _ in fits for c in cs})
    index = {c: i for i, c in enumerate(classes)}
    coef = np.zeros((len(classes), x.shape[1]))
    inter = np.zeros(len(classes))
    have = np.zeros(len(classes))
    for cs, w, b in fits:  # each class: the mean over the fits that saw it
        rows = [index[c] for c in cs]
        coef[rows] += w
        inter[rows] += b
        have[rows] += 1
    coef /= have[:, None]
    inter /= have
    intercept = [float(v) for v in inter]
    weights = {
        str(int(j)): [round(float(v), 3) for v in coef[:, k]]
        for k, j in enumerate(active)
        if np.abs(coef[:, k]).max() >= 1e-3
    }
    counts: dict[str, int] = {}
    seen: dict[str, Counter[str]] = {}
    for lab, fact in zip(names, facts, strict=True):
        counts[lab] = counts.get(lab, 0) + 1
        if lab != NONE:
            seen.setdefault(lab, Counter())[fact.value_class] += 1
    types = {
        lab: sorted(TYPE_PREFIX + t for t, n in tcs.items() if n >= min_count)
        for lab, tcs in sorted(seen.items())
    }
    spec = RoleModelFile(
        n_features=N_FEATURES,
        classes=classes,
        intercept=[round(v, 4) for v in intercept],
        weights=weights,
        link="ovr" if kind == "sgd" else "softmax",
        threshold=threshold,
        trained_on=counts,
        types=types,
    )
    return RoleModel(spec)


def load_default_model() -> RoleModel | None:
    """The model shipped with mailstencil, or ``None`` when it has not been trained yet."""
    if DEFAULT_MODEL_PATH.exists():
        return RoleModel.load(DEFAULT_MODEL_PATH)
    return None
