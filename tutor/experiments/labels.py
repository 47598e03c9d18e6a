"""Names as a learner reads them: the form label of each parameter name and the name of each
variant, in Korean and English (the English of a variant stays the name the events carry)."""

from __future__ import annotations

from .events import Bilingual as Text

#: The form label of each parameter name (the same name means the same idea in every experiment;
#: tests/experiments/test_registry.py checks each one is used, and every parameter has one).
LABELS: dict[str, Text] = {
    "seed": {"ko": "시드(seed)", "en": "seed"},
    "lr": {"ko": "학습률(lr)", "en": "learning rate"},
    "lr_small": {"ko": "작은 학습률(lr_small)", "en": "small lr"},
    "lr_large": {"ko": "큰 학습률(lr_large)", "en": "large lr"},
    "steps": {"ko": "걸음 수(steps)", "en": "steps"},
    "epochs": {"ko": "에포크(epochs)", "en": "epochs"},
    "batch_size": {"ko": "배치 크기(batch)", "en": "batch size"},
    "n": {"ko": "데이터 수(n)", "en": "data points"},
    "noise": {"ko": "잡음(noise)", "en": "noise"},
    "gate": {"ko": "게이트(gate)", "en": "gate"},
    "layers": {"ko": "층 수(layers)", "en": "layers"},
    "hidden": {"ko": "은닉층(hidden)", "en": "hidden"},
    "width": {"ko": "너비(width)", "en": "width"},
    "widths": {"ko": "너비들(widths)", "en": "widths"},
    "activation": {"ko": "활성화(activation)", "en": "activation"},
    "optimizer": {"ko": "옵티마이저(optimizer)", "en": "optimizer"},
    "momentum": {"ko": "모멘텀(momentum)", "en": "momentum"},
    "init": {"ko": "초기화(init)", "en": "init"},
    "eps": {"ko": "차분 간격(ε)", "en": "ε (eps)"},
    "bug": {"ko": "심은 버그(bug)", "en": "planted bug"},
    "function": {"ko": "목표 함수(function)", "en": "target function"},
    "dropout": {"ko": "드롭아웃(dropout)", "en": "dropout"},
    "l2": {"ko": "L2 강도(l2)", "en": "L2 strength"},
    "patience": {"ko": "인내(patience)", "en": "patience"},
    "start": {"ko": "시작 가중치(start)", "en": "start weights"},
    "dataset": {"ko": "데이터(dataset)", "en": "data set"},
    "test_ratio": {"ko": "테스트 비율(test)", "en": "test ratio"},
    "features": {"ko": "입력 특성(features)", "en": "features"},
    "regularization": {"ko": "규제(regular.)", "en": "regularization"},
    "reg_rate": {"ko": "규제 강도(rate)", "en": "reg. rate"},
    "resolution": {"ko": "해상도(resolution)", "en": "resolution"},
    "surface_lr": {"ko": "곡면 학습률(surface_lr)", "en": "surface lr"},
    "surface_steps": {"ko": "곡면 걸음 수(surface_steps)", "en": "surface steps"},
}


#: Variant names as a learner reads them (the English stays the name the events carry).
VARIANT_LABELS: dict[str, Text] = {
    "main": {"ko": "실행", "en": "main"},
    "too_small": {"ko": "너무 작음(too_small)", "en": "too_small"},
    "right": {"ko": "알맞음(right)", "en": "right"},
    "too_large": {"ko": "너무 큼(too_large)", "en": "too_large"},
    "sigmoid": {"ko": "시그모이드(sigmoid)", "en": "sigmoid"},
    "tanh": {"ko": "쌍곡탄젠트(tanh)", "en": "tanh"},
    "relu": {"ko": "렐루(relu)", "en": "relu"},
    "plain": {"ko": "기본 망(plain)", "en": "plain"},
    "batchnorm": {"ko": "배치 정규화(batchnorm)", "en": "batchnorm"},
    "residual": {"ko": "잔차 연결(residual)", "en": "residual"},
    "none": {"ko": "규제 없음(none)", "en": "none"},
    "dropout": {"ko": "드롭아웃(dropout)", "en": "dropout"},
    "l2": {"ko": "L2 규제(l2)", "en": "l2"},
    "early_stopping": {"ko": "조기 종료(early_stopping)", "en": "early_stopping"},
    "mse": {"ko": "평균제곱오차(mse)", "en": "mse"},
    "cross_entropy": {"ko": "교차 엔트로피(cross_entropy)", "en": "cross_entropy"},
    "sgd": {"ko": "확률적 경사 하강법(sgd)", "en": "sgd"},
    "momentum": {"ko": "모멘텀(momentum)", "en": "momentum"},
    "rmsprop": {"ko": "알엠에스프롭(rmsprop)", "en": "rmsprop"},
    "adam": {"ko": "아담(adam)", "en": "adam"},
    "zeros": {"ko": "0으로 초기화(zeros)", "en": "zeros"},
    "small": {"ko": "작은 난수(small)", "en": "small"},
    "xavier": {"ko": "자비에(xavier)", "en": "xavier"},
    "he": {"ko": "허(he)", "en": "he"},
}


def variant_label(name: str, lang: str) -> str:
    """A variant's name in ``lang``; uat's "w8" is "너비 8(w8)"; unknown names as they are."""
    entry = VARIANT_LABELS.get(name)
    if entry is not None:
        return entry.get(lang, entry["en"])
    if lang == "ko" and name[:1] == "w" and name[1:].isdigit():
        return f"너비 {name[1:]}({name})"
    return name
