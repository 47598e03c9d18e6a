import pytest

from tutor.content import UnsupportedLatex, latex_to_unicode, render_inline_math


@pytest.mark.parametrize("source,shown", [
    (r"\frac{\partial L}{\partial w_1}", "∂L/∂w₁"),
    (r"\sigma(z) = \frac{1}{1+e^{-z}}", "σ(z) = 1/(1+e⁻ᶻ)"),
    (r"\sigma'(z) = \sigma(z)(1-\sigma(z))", "σ'(z) = σ(z)(1-σ(z))"),
    (r"\mathbf{W}^\top \mathbf{x}", "Wᵀx"),
    (r"\hat{y}", "ŷ"),
    (r"\sum_{i=1}^{n} x_i^2", "Σᵢ₌₁ⁿ xᵢ²"),
    (r"\sqrt{x^2+1}", "√(x²+1)"),
    (r"\hat{m}_t = \frac{m_t}{1-\beta_1^t}", "m̂ₜ = mₜ/(1-β₁ᵗ)"),
    (r"a \cdot b \le \|a\| \, \|b\|", "a · b ≤ ‖a‖ ‖b‖"),
    (r"T \circ T", "T ∘ T"),   # composition keeps its spaces
    (r"\nabla_\theta L", "∇_θL"),
])
def test_renders_readable_unicode(source, shown):
    assert latex_to_unicode(source) == shown


def test_fraction_sides_are_bracketed_only_when_needed():
    assert latex_to_unicode(r"\frac{a+b}{c}") == "(a+b)/c"
    assert latex_to_unicode(r"\frac{a}{b}") == "a/b"


@pytest.mark.parametrize("source", [r"\foo x", r"\frac{a}", r"a & b", r"x^", r"\sqrt[3]{x}",
                                    r"\begin{align} x \end{align}", r"\frac{a}{b"])
def test_outside_the_subset_is_an_error(source):
    with pytest.raises(UnsupportedLatex):
        latex_to_unicode(source)


def test_inline_math_in_markdown():
    assert render_inline_math(r"so $\sigma(0) = \frac{1}{2}$ here") == "so σ(0) = 1/2 here"
    assert render_inline_math("costs \\$5 and \\$6") == "costs \\$5 and \\$6"


@pytest.mark.parametrize("source,shown", [
    (r"\eta < 1", "η < 1"),                          # relations keep their spaces
    (r"\frac{1}{2a}", "1/(2a)"),                     # not 1/2a, which reads as a/2
    (r"\lim_{\epsilon \to 0} f", "lim_(ε → 0) f"),
    (r"\sum_{i=1}^{N} x_i", "Σᵢ₌₁ᴺ xᵢ"),
    (r"\operatorname{ReLU}(x) = \max(0, x)", "ReLU(x) = max(0, x)"),
    (r"a \star b", "a ⋆ b"),
])
def test_readability_fixes(source, shown):
    assert latex_to_unicode(source) == shown
