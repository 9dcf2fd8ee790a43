"""The alignment objective, checked by hand, and the sentence encoders' invariants."""

import torch

from aligncap.model import (
    BRNN,
    AlignConfig,
    BagOfWords,
    DecoderStep,
    GenConfig,
    ImageHead,
    ranking_loss,
    score_matrix,
)


def test_score_is_sum_over_words_of_best_region():
    # 1 image with 2 regions, 2 sentences; sentence 1 has a padded position
    regions = torch.tensor([[[1.0, 0.0], [0.0, 2.0]]])
    words = torch.tensor([[[1.0, 1.0], [3.0, -1.0]], [[-1.0, 0.5], [9.0, 9.0]]])
    lengths = torch.tensor([2, 1])
    S = score_matrix(regions, words, lengths)
    # sentence 0: max(1, 2) + max(3, -2) = 5; sentence 1: max(-1, 1) = 1 (padding ignored)
    assert torch.allclose(S, torch.tensor([[5.0, 1.0]]))


def test_ranking_loss_matches_hand_computation():
    S = torch.tensor([[3.0, 2.5, 0.0], [1.0, 2.0, 2.2], [0.0, 0.0, 4.0]])
    # sentences for image k: Σ_l≠k max(0, S_kl − S_kk + 1)
    rows = (0 + 0.5 + 0) + (0 + 0 + 1.2) + (0 + 0 + 0)
    # images for sentence l: Σ_k≠l max(0, S_kl − S_ll + 1)
    cols = (0 + 0 + 0) + (1.5 + 0 + 0) + (0 + 0 + 0)
    assert torch.isclose(ranking_loss(S), torch.tensor(rows + cols))


def test_ranking_loss_is_zero_for_a_margin_separated_batch():
    S = torch.eye(4) * 10
    assert ranking_loss(S).item() == 0.0


def test_brnn_ignores_padding_and_sees_both_directions():
    torch.manual_seed(0)
    enc = BRNN(20, AlignConfig(embed_size=8, word_size=8, dropout=0.0)).eval()
    a = torch.tensor([[5, 6, 7, 0, 0]])
    b = torch.tensor([[5, 6, 7, 9, 9]])
    wa = enc(a, torch.tensor([3]))
    wb = enc(b, torch.tensor([3]))
    assert torch.allclose(wa, wb)  # what lies past the length never leaks in
    assert wa[0, 3:].abs().sum() == 0
    wc = enc(torch.tensor([[5, 6, 8]]), torch.tensor([3]))
    assert not torch.allclose(wa[0, 0], wc[0, 0])  # word 0 depends on a later word (backward pass)
    bow = BagOfWords(20, AlignConfig(embed_size=8, word_size=8, dropout=0.0)).eval()
    assert torch.allclose(
        bow(a, torch.tensor([3]))[0, 0], bow(torch.tensor([[5, 6, 8]]), torch.tensor([3]))[0, 0]
    )


def test_image_enters_the_rnn_only_at_the_first_step():
    torch.manual_seed(0)
    for cell in ("rnn", "lstm"):
        step = DecoderStep(10, GenConfig(cell=cell, hidden_size=6, word_size=4, dropout=0.0)).eval()
        inputs = torch.tensor([[1, 4, 5]])
        bias = torch.randn(1, step.cfg.bias_size)
        full = step.sequence_log_probs(bias, inputs)
        state = step.initial_state(1)
        logp, *state = step(inputs[:, 0], bias, *state)
        logp2, *_ = step(inputs[:, 1], torch.zeros_like(bias), *state)
        assert torch.allclose(full[:, 0], logp) and torch.allclose(full[:, 1], logp2)


def test_image_head_standardises_each_feature_from_training_features():
    head = ImageHead(3, GenConfig(hidden_size=4, dropout=0.0)).eval()
    feats = torch.tensor([[0.0, 10.0, 5.0], [0.2, 30.0, 5.0], [0.1, 20.0, 5.0]])
    head.standardise(feats)
    # a feature of scale 0.1 weighs as much as one of scale 10; a constant one is only centred
    assert torch.allclose(head.mean, torch.tensor([0.1, 20.0, 5.0]))
    assert torch.allclose(head.scale, torch.tensor([10.0, 0.1, 1.0]), rtol=1e-5)
    assert torch.allclose(head(feats), head.W_hi((feats - head.mean) * head.scale))


def test_relu_rnn_starts_by_carrying_its_state_forward():
    cfg = GenConfig(hidden_size=6, word_size=4, dropout=0.0)
    assert torch.equal(DecoderStep(10, cfg).W_hh.weight, torch.eye(6))
    random = GenConfig(hidden_size=6, word_size=4, identity_init=False)
    assert not torch.equal(DecoderStep(10, random).W_hh.weight, torch.eye(6))
    assert DecoderStep(
        10, GenConfig(hidden_size=6, word_size=4, cell="lstm")
    ).W_hh.weight.shape == (24, 6)
