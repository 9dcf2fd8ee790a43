"""Beam search against brute force on a toy language model, and its contract."""

import itertools

import numpy as np

from aligncap.decode import beam_search, sample

V, START, END, PAD, UNK = 6, 1, 2, 0, 3
BANNED = (PAD, START, UNK)


def toy_step(seed):
    """A deterministic random bigram model: log p(next | previous token)."""
    rng = np.random.default_rng(seed)
    table = rng.normal(size=(V, V)) * 2
    table = table - np.log(np.exp(table).sum(1, keepdims=True))

    def step(tokens, bias, states):
        logp = table[tokens] + bias[:, :V] * 0  # the bias is part of the interface only
        return logp, [s + 1 for s in states]

    return step, table


def brute_force_best(table, max_length):
    allowed = [t for t in range(V) if t not in BANNED]
    best = (-np.inf, None)
    for n in range(1, max_length + 1):
        for seq in itertools.product(allowed, repeat=n):
            if END in seq[:-1]:
                continue
            prev, total = START, 0.0
            for t in seq:
                total += table[prev, t]
                prev = t
            if seq[-1] == END or n == max_length:
                best = max(best, (total, seq), key=lambda x: x[0])
    return best


def run(step, beam, max_length, alpha=0.0):
    return beam_search(
        step,
        np.zeros(V, np.float32),
        [np.zeros(2)],
        beam_size=beam,
        max_length=max_length,
        start_id=START,
        end_id=END,
        banned=BANNED,
        alpha=alpha,
    )


def test_wide_beam_finds_the_brute_force_optimum():
    for seed in range(20):
        step, table = toy_step(seed)
        want_score, want_seq = brute_force_best(table, 4)
        got = run(step, beam=V * 4, max_length=4)[0]
        assert tuple(got.tokens) == want_seq
        assert np.isclose(got.log_prob, want_score)


def test_beam_scores_at_least_as_well_as_greedy_and_returns_k_sorted():
    for seed in range(20):
        step, _ = toy_step(seed)
        greedy = run(step, 1, 6)
        beam = run(step, 3, 6)
        assert len(greedy) == 1 and len(beam) == 3
        assert beam[0].score >= greedy[0].score - 1e-12
        assert all(a.score >= b.score for a, b in zip(beam, beam[1:]))
        for h in beam:
            assert not set(h.tokens) & set(BANNED)
            assert END not in h.tokens[:-1]


def test_length_normalisation_reranks_by_mean_log_prob():
    step, _ = toy_step(3)
    hyps = run(step, 4, 6, alpha=1.0)
    assert all(np.isclose(h.score, h.log_prob / len(h.tokens)) for h in hyps)
    assert all(a.score >= b.score for a, b in zip(hyps, hyps[1:]))


def test_sampling_at_low_temperature_is_greedy():
    step, _ = toy_step(5)
    greedy = run(step, 1, 6)[0]
    s = sample(
        step,
        np.zeros(V, np.float32),
        [np.zeros(2)],
        max_length=6,
        start_id=START,
        end_id=END,
        banned=BANNED,
        temperature=1e-3,
        rng=np.random.default_rng(0),
    )
    assert s.tokens == greedy.tokens
