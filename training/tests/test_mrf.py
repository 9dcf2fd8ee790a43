"""The chain MRF's Viterbi against brute force over every labelling."""

import itertools

import numpy as np

from aligncap import mrf


def brute_force(unary, beta):
    n, r = unary.shape
    best = max(
        itertools.product(range(r), repeat=n),
        key=lambda a: (mrf.energy(unary, list(a), beta), [-x for x in a]),
    )
    return list(best)


def test_viterbi_matches_brute_force_on_random_small_cases():
    rng = np.random.default_rng(0)
    for _ in range(300):
        n, r = rng.integers(1, 6), rng.integers(1, 5)
        unary = rng.normal(size=(n, r))
        beta = float(rng.choice([0.0, 0.3, 1.0, 3.0]))
        got = mrf.viterbi(unary, beta)
        want = brute_force(unary, beta)
        assert np.isclose(mrf.energy(unary, got, beta), mrf.energy(unary, want, beta))


def test_ties_resolve_to_the_lowest_region():
    unary = np.zeros((3, 4))
    assert mrf.viterbi(unary, 1.0) == [0, 0, 0]
    assert mrf.viterbi(np.array([[0.0, 1.0, 1.0]]), 0.0) == [1]


def test_large_beta_makes_one_snippet_and_zero_beta_is_argmax():
    rng = np.random.default_rng(1)
    unary = rng.normal(size=(6, 5))
    assert len(mrf.snippets(mrf.viterbi(unary, 100.0))) == 1
    assert mrf.viterbi(unary, 0.0) == list(unary.argmax(1))


def test_snippets_are_maximal_runs():
    assert mrf.snippets([2, 2, 0, 0, 0, 3]) == [(0, 2, 2), (2, 5, 0), (5, 6, 3)]
    assert mrf.snippets([]) == []
