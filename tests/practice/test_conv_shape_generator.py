"""The conv_shape generator (chapter 8's output-shape drill) as a learner meets it in practice.

Its answers are recomputed on hundreds of seeds against real ``tutor.nn`` layers by
tests/content/test_generators.py (``ind_conv_shape``). Here: the bank entry of
quizzes/ch08-cnn-shapes.yaml becomes a concrete question through the practice session, the right
number is graded right and the usual slips (padding counted once, the +1 forgotten, rounding up,
the stride ignored) are graded wrong, and the drill really covers non-square inputs, rounding down
and both layer kinds.
"""

from __future__ import annotations

import re

from tutor.content import bundled_content_dirs, load_library
from tutor.content.generators import generate
from tutor.content.models import GeneratedQuestion, NumericQuestion
from tutor.practice.grading import grade
from tutor.practice.session import all_items, instantiate

LIBRARY = load_library(bundled_content_dirs())
ENTRY = "q08-pad-gen-shape"


def givens(q) -> tuple[int, int, int, int, int, int]:
    t = q.q.en
    h, w, _ = (int(x) for x in re.search(r"input feature map is \$(\d+) \\times (\d+) \\times (\d+)\$", t).groups())
    s = int(re.search(r"stride \$(\d+)\$", t).group(1))
    m = re.search(r"kernels of \$(\d+) \\times|a \$(\d+) \\times \d+\$ max pooling", t)
    k = int(m.group(1) or m.group(2))
    m = re.search(r"padding \$(\d+)\$", t)
    p = int(m.group(1)) if m else 0
    return h, w, k, p, s, (h + 2 * p - k) // s + 1


def test_the_bank_entry_is_a_practice_item_that_instantiates():
    item = all_items(LIBRARY)[ENTRY]
    assert isinstance(item.question, GeneratedQuestion) and item.question.generator == "conv_shape"
    for seed in range(20):
        concrete = instantiate(item, seed).question
        assert isinstance(concrete, NumericQuestion) and concrete.id == ENTRY and concrete.chapter == 8
        assert grade(concrete, str(int(concrete.answer))).correct


def test_the_usual_slips_are_graded_wrong():
    slips = 0
    for seed in range(200):
        q = generate(GeneratedQuestion(type="generated", id="q-x", chapter=8, generator="conv_shape",
                                       params={"ask": "height"}), seed)
        h, _, k, p, s, right = givens(q)
        assert q.answer == right
        wrong = {(h + p - k) // s + 1,            # padding on one side only
                 (h + 2 * p - k) // s,            # the +1 (the first position) forgotten
                 -(-(h + 2 * p - k) // s) + 1,    # rounded up
                 h + 2 * p - k + 1} - {right}     # the stride ignored
        for value in wrong:
            assert not grade(q, str(value)).correct, (q.q.en, value)
            slips += 1
    assert slips > 300


def test_the_drill_covers_what_it_should():
    seen = {"non_square": False, "floor": False, "pool": False, "conv": False, "padding": False}
    for seed in range(300):
        q = generate(GeneratedQuestion(type="generated", id="q-x", chapter=8, generator="conv_shape"), seed)
        h, w, k, p, s, _ = givens(q)
        seen["non_square"] |= h != w
        seen["floor"] |= (h + 2 * p - k) % s != 0
        seen["pool"] |= "max pooling" in q.q.en
        seen["conv"] |= "convolution layer" in q.q.en
        seen["padding"] |= p > 0
        assert "⌋" in q.explanation.en and "⌋" in q.explanation.ko
    assert all(seen.values()), seen
