"""Snippet alignment with a chain MRF (paper §3.1.4), solved exactly by Viterbi.

Words j = 1..N take region labels a_j. Energy to maximise:
    E(a) = Σ_j v_{a_j}·s_j  +  β Σ_j 1[a_j = a_{j+1}]
Larger β favours longer contiguous snippets aligned to one region. Ties resolve to the
lowest region index (the Java service's MrfAligner follows the same rule).
"""

from __future__ import annotations

import numpy as np


def viterbi(unary: np.ndarray, beta: float) -> list[int]:
    """unary (N, R) float → the maximising labels a_1..a_N."""
    u = np.asarray(unary, dtype=np.float64)
    n, r = u.shape
    if n == 0:
        return []
    score = u[0].copy()
    back = np.zeros((n, r), dtype=np.int64)
    bonus = beta * np.eye(r)
    for j in range(1, n):
        cand = score[None, :] + bonus  # cand[a, a'] = previous a' then a
        back[j] = cand.argmax(axis=1)  # argmax returns the lowest index among ties
        score = u[j] + cand[np.arange(r), back[j]]
    labels = [int(score.argmax())]
    for j in range(n - 1, 0, -1):
        labels.append(int(back[j, labels[-1]]))
    return labels[::-1]


def energy(unary: np.ndarray, labels: list[int], beta: float) -> float:
    u = np.asarray(unary, dtype=np.float64)
    e = sum(u[j, a] for j, a in enumerate(labels))
    return float(e + beta * sum(a == b for a, b in zip(labels, labels[1:], strict=False)))


def snippets(labels: list[int]) -> list[tuple[int, int, int]]:
    """Maximal runs of equal labels as (start, end_exclusive, region)."""
    out, start = [], 0
    for j in range(1, len(labels) + 1):
        if j == len(labels) or labels[j] != labels[start]:
            out.append((start, j, labels[start]))
            start = j
    return out
