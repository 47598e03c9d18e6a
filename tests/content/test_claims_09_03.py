"""Recompute every number of lesson 09-03 (RNN types, the encoder–decoder, the bottleneck argued
line by line) and of its bank questions (q09-s2s-*, q09-why-s2s-*), with the ``seq2seq``
experiment's own model where the text speaks of it. The run's figures are pinned in the lesson's
``figures:`` (tests/content/test_pinned_figures.py reruns them)."""

from __future__ import annotations

import itertools
import math

import numpy as np

from claims_kit import both, check_bank_shape, derivation, load, run_checks, states, table_rows  # noqa: E402
from tutor import nn
from tutor.experiments import REGISTRY
from tutor.experiments.seq2seq import MIN_LEN, VOCAB, Seq2Seq

LESSON = load("lessons/09-transformers/03-seq2seq.yaml")
BANK_ALL = {q["id"]: q for q in load("quizzes/ch09-seq2seq-attention.yaml")["questions"]}
BANK = {k: q for k, q in BANK_ALL.items() if k.startswith(("q09-s2s-", "q09-why-s2s-"))}


def prose(marker_en: str) -> dict:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and marker_en in s["prose"]["en"]]
    assert len(found) == 1, marker_en
    return found[0]


def model(attention=False, H=5, max_len=30):
    nn.manual_seed(0)
    return Seq2Seq(VOCAB, max_len, 4, H, attention=attention).to(np.float64)


def test_the_types_table_has_the_four_kinds_with_their_examples():
    text = prose("## RNN types, by the shape of input and output")
    rows = {lang: table_rows(text[lang], 3) for lang in ("ko", "en")}
    assert len(rows["ko"]) == len(rows["en"]) == 5      # the header and four kinds
    en = [r[0] for r in rows["en"][1:]]
    assert en == ["one-to-many", "many-to-one", "many-to-many, aligned", "many-to-many, unaligned (seq2seq)"]
    examples = " ".join(r[2] for r in rows["en"][1:])
    for word in ("captioning", "sentiment", "tagging", "translation"):
        assert word in examples
    # the sentence pair: 3 Korean words, 4 English ones
    states(both(text), "나는 학교에 갑니다", "I go to school")
    assert len("나는 학교에 갑니다".split()) == 3 and len("I go to school".split()) == 4


def test_the_run_is_the_one_described():
    exp = REGISTRY["seq2seq"]
    d = {k: p.default for k, p in exp.params.items()}
    assert d["hidden"] == 16 and d["length"] == 8 and MIN_LEN == 2 and VOCAB == 10
    run = next(s["run"] for s in LESSON["steps"] if "run" in s)
    assert run["experiment"] == "seq2seq" and run["set"] == {}
    states([run["ask"]["en"]], "lengths 2 to 8", "10%")
    states([run["ask"]["ko"]], "길이 2부터 8까지", "10%")
    assert 1 / VOCAB == 0.10       # guessing one digit of ten at random
    # the example: 3 1 4 reversed is 4 1 3
    assert [3, 1, 4][::-1] == [4, 1, 3]


def test_results_prose_numbers():
    text = prose("## What the run showed")
    states(both(text), "H = 16", "5 \\log_2 10 \\approx 16.6", "32")
    assert f"{5 * math.log2(10):.1f}" == "16.6" and 2 * 16 == 32


def test_bottleneck_derivation():
    d = derivation(LESSON, "deriv-09-bottleneck")
    rng = np.random.default_rng(0)

    def only_through_h_T():
        # the plain decoder's outputs are a function of h_T and t: recompute them from h_T alone
        m = model()
        x = rng.integers(0, VOCAB, size=(4, 6))
        logits = m.forward(x, train=False)
        h_T = m.encoder.forward(m.embed.forward(x, False), False)[:, -1]
        pos = m.position.forward(np.broadcast_to(np.arange(6), (4, 6)), False)
        again = m.out.forward(m.decoder.forward((pos, h_T), False), False)
        assert np.allclose(logits, again)
        # and two inputs with the same h_T give the same outputs: swap in another input's h_T
        other = rng.integers(0, VOCAB, size=(4, 6))
        h_other = m.encoder.forward(m.embed.forward(other, False), False)[:, -1]
        assert np.allclose(m.forward(other, train=False),
                           m.out.forward(m.decoder.forward((pos, h_other), False), False))

    def fixed_size():
        m = model(H=7)
        for T in (3, 30):
            x = rng.integers(0, VOCAB, size=(2, T))
            h = m.encoder.forward(m.embed.forward(x, False), False)
            assert h[:, -1].shape == (2, 7)

    def count():
        assert sum(1 for _ in itertools.product(range(3), repeat=4)) == 3 ** 4
        assert VOCAB ** 8 == 10 ** 8

    def bits():
        for V, T in ((10, 8), (26, 10), (2, 5)):
            assert math.isclose(math.log2(V ** T), T * math.log2(V))
        assert math.log2(2 ** 5) == 5      # 5 yes/no answers tell 32 cases apart

    def numbers():
        assert f"{8 * math.log2(10):.1f}" == "26.6" and f"{20 * math.log2(10):.1f}" == "66.4"
        line = next(s for s in d["steps"] if s["math"].startswith("8 \\log_2"))
        states(both(line["why"]), "26.6", "66.4")

    def float_bits():
        assert np.dtype(np.float32).itemsize * 8 == 32 and 32 * 16 == 512
        line = next(s for s in d["steps"] if s["math"] == "32H")
        states(both(line["why"]), "H = 16", "512")

    def path():
        # count the edges of the chain x_1 → h_1 → … → h_T = z_0 → … → z_t
        for T in range(1, 9):
            for t in range(1, 9):
                chain = ["x1"] + [f"h{i}" for i in range(1, T + 1)] + [f"z{j}" for j in range(1, t + 1)]
                assert len(chain) - 1 == 1 + (T - 1) + t == T + t
        assert 8 + 8 == 2 * 8   # reversing needs x_1 at t = T: 2T steps

    run_checks(d, {
        "y_t = g(\\mathbf{h}_T, t)": only_through_h_T,
        "\\mathbf{h}_T \\in \\mathbb{R}^H": fixed_size,
        "V^T": count,
        "\\log_2 V^T = T \\log_2 V": bits,
        "8 \\log_2 10 \\approx 26.6, \\quad 20 \\log_2 10 \\approx 66.4": numbers,
        "32H": float_bits,
        "1 + (T - 1) + t = T + t": path,
    })


def test_bank():
    # one follow-up points to the key question in ch00-key-questions.yaml
    key = {q["id"]: q for q in load("quizzes/ch00-key-questions.yaml")["questions"]
           if q["id"] == "q09-why-self-attention"}
    check_bank_shape({**BANK_ALL, **key}, "q09-", 9, 13, 5)
    assert len(BANK) >= 5 and sum(q["type"] == "why" for q in BANK.values()) >= 2
    assert all(q.get("follow_up") for q in BANK.values() if q["type"] == "why")
    bits = BANK["q09-s2s-bits"]
    assert abs(bits["answer"] - 10 * math.log2(26)) <= bits["tolerance"]
    states(both(bits["explanation"]), "4.70", "47.0")
    assert f"{math.log2(26):.2f}" == "4.70"
    path = BANK["q09-s2s-path"]
    assert path["answer"] == 1 + (6 - 1) + 4 == 10
    types = BANK["q09-s2s-types"]
    assert types["answer"] == 2
    right = {"captioning": "one-to-many", "sentiment classification": "many-to-one",
             "tagging": "aligned many-to-many", "translation": "seq2seq"}
    for i, choice in enumerate(types["choices"]):
        pairs = dict(p.split(": ") for p in choice["en"].split(" · "))
        ok = all(next(v for k, v in pairs.items() if task in k) == kind for task, kind in right.items())
        assert ok == (i == types["answer"]), choice["en"]
    assert BANK["q09-s2s-facts"]["answers"] == [0, 2]
    refs = [s["quiz"]["ref"] for s in LESSON["steps"] if "quiz" in s]
    assert len(refs) >= 3 and all(r in BANK for r in refs)
