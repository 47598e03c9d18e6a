"""The generator ``dense_vs_conv_params`` (chapter 8's bank, 08-01): a fully connected layer has
(HWC + 1)·n parameters, a convolution layer (k²C + 1)·K, whatever the image's height and width."""

from __future__ import annotations

import random
import re

from tutor.content.generators import GENERATORS, generate
from tutor.content.models import GeneratedQuestion
from tutor.nn import Conv2d, Linear

GEN = GENERATORS["dense_vs_conv_params"]


def sizes(text: str) -> dict:
    h, w, c = map(int, re.search(r"image of \$(\d+) \\times (\d+) \\times (\d+)\$", text).groups())
    n = int(re.search(r"layer of \$(\d+)\$ units", text).group(1))
    k = int(re.search(r"filters of \$(\d+) \\times", text).group(1))
    filters = int(re.search(r"layer of \$(\d+)\$ filters", text).group(1))
    return dict(h=h, w=w, c=c, n=n, k=k, filters=filters)


def test_answers_are_the_parameters_of_real_layers_on_many_seeds():
    for seed in range(200):
        for ask in ("conv", "dense"):
            made = GEN.make(random.Random(seed), {"ask": ask})
            s = sizes(made.q[1])
            if ask == "conv":
                layer = Conv2d(s["c"], s["filters"], s["k"])
                assert made.answer == (s["k"] ** 2 * s["c"] + 1) * s["filters"]
            else:
                layer = Linear(s["h"] * s["w"] * s["c"], s["n"])
                assert made.answer == (s["h"] * s["w"] * s["c"] + 1) * s["n"]
            assert made.answer == sum(p.size for p in layer.params.values()) and made.tolerance == 0
            # the working shows both counts, so either question teaches the contrast
            dense = (s["h"] * s["w"] * s["c"] + 1) * s["n"]
            conv = (s["k"] ** 2 * s["c"] + 1) * s["filters"]
            for text in made.explanation:
                assert f"= {dense}$" in text and f"= {conv}$" in text


def test_the_conv_count_does_not_depend_on_height_and_width():
    # the same filters on an 8×8 and on a 224×224 image: the same parameters, the same output channels
    import numpy as np
    layer = Conv2d(3, 16, 3)
    small = layer.forward(np.zeros((1, 3, 8, 8), np.float32))
    large = layer.forward(np.zeros((1, 3, 224, 224), np.float32))
    assert small.shape[1] == large.shape[1] == 16
    assert sum(p.size for p in layer.params.values()) == (9 * 3 + 1) * 16 == 448


def test_a_bank_entry_generates_a_bilingual_numeric_question():
    q = GeneratedQuestion(type="generated", id="q08-gen-x", chapter=8, generator="dense_vs_conv_params",
                          params={"ask": "conv"})
    made = generate(q, seed=3)
    assert made.type == "numeric" and made.q.ko and made.q.en
    assert "합성곱 층(convolution layer)" in made.q.ko and "파라미터 공유(parameter sharing)" in made.explanation.ko
