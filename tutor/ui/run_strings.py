"""Learner-facing strings of the run panel and the playground, in Korean and English.

Kept apart from tutor/i18n.py (same shape: ``RUN_STRINGS[key][lang]``); technical terms keep the
English word beside the Korean one.
"""

from __future__ import annotations

from tutor.i18n import translate

RUN_STRINGS: dict[str, dict[str, str]] = {
    "run_label": {"ko": "실험 (experiment): {title}", "en": "Experiment: {title}"},
    "run_ask": {"ko": "실행 전에 예측해 보세요: {ask}", "en": "Predict before you run: {ask}"},
    "hint_idle": {"ko": "[r] 시작 · [e] 설정 바꾸기 (Tab 이동·적용, Esc 나가기) · [l] 로그 스케일 (log scale)",
                  "en": "[r] start · [e] edit settings (Tab moves and applies, Esc leaves) · [l] log scale"},
    "hint_running": {"ko": "[x] 멈추기 · [r] 다시 시작 · [e] 설정 · [l] 로그 스케일 (log scale)",
                     "en": "[x] stop · [r] restart · [e] settings · [l] log scale"},
    "hint_done": {"ko": "[r] 다시 실행 · [e] 설정 바꾸기 · [l] 로그 스케일 (log scale)",
                  "en": "[r] run again · [e] change settings · [l] log scale"},
    "hint_playground": {"ko": "[r] 다시 시작 · [x] 멈추기 · [e] 설정 · [l] 로그 스케일 (log) · [Esc] 뒤로",
                        "en": "[r] restart · [x] stop · [e] settings · [l] log scale · [Esc] back"},
    "playground_note": {"ko": "설정을 바꾸면 처음부터 다시 학습합니다. Enter나 Tab으로 적용.",
                        "en": "Changing a setting restarts training. Enter or Tab applies."},
    "hint_speed": {"ko": "[-/+] 속도 {speed}", "en": "[-/+] speed {speed}"},
    "speed": {"ko": "속도 {speed}", "en": "speed {speed}"},
    "speed_instant": {"ko": "즉시(instant)", "en": "instant"},
    "not_started": {"ko": "시작하지 않았습니다: 표시된 설정을 고쳐 주세요.",
                    "en": "Not started: fix the marked setting first."},
    "state_idle": {"ko": "준비됨 — [r]을 눌러 학습을 시작하세요", "en": "Ready — press [r] to start training"},
    "state_starting": {"ko": "시작하는 중…", "en": "starting…"},
    "state_running": {"ko": "학습 중", "en": "training"},
    "state_done": {"ko": "완료", "en": "done"},
    "state_stopped": {"ko": "멈춤", "en": "stopped"},
    "state_diverged": {"ko": "발산 (diverged)", "en": "diverged"},
    "state_failed": {"ko": "실패", "en": "failed"},
    "stopped_at": {"ko": "{step}단계에서 멈췄습니다. [r]로 다시 시작.", "en": "Stopped at step {step}. Press [r] to start again."},
    "diverged_at": {"ko": "{variant}: {step}단계에서 발산 (diverged) — 손실 (loss)이 무한대가 되었습니다. 학습률 (learning rate)이 너무 큽니다.",
                    "en": "{variant}: diverged at step {step} — the loss became infinite: the learning rate is too large."},
    "failed": {"ko": "실험을 실행하지 못했습니다 (종료 코드 {code}): {err}",
               "en": "The run could not run (exit code {code}): {err}"},
    "no_output": {"ko": "출력 없음", "en": "no output"},
    "bad_value": {"ko": "잘못된 값 (invalid value): {err}", "en": "Invalid value: {err}"},
    "changed": {"ko": "{name} = {value} — [r]을 누르면 이 설정으로 실행합니다", "en": "{name} = {value} — press [r] to run with it"},
    "restarting": {"ko": "{name} = {value} — 다시 학습합니다", "en": "{name} = {value} — training again"},
    "m_step": {"ko": "단계 (step)", "en": "step"},
    "m_loss": {"ko": "손실 (loss)", "en": "loss"},
    "m_val_loss": {"ko": "검증 손실 (val loss)", "en": "val loss"},
    "m_test_loss": {"ko": "테스트 손실 (test loss)", "en": "test loss"},
    "m_test_acc": {"ko": "테스트 정확도 (test acc)", "en": "test acc"},
    "m_acc": {"ko": "정확도 (accuracy)", "en": "accuracy"},
    "m_val_acc": {"ko": "검증 정확도 (val acc)", "en": "val acc"},
    "m_time": {"ko": "{s:.1f}초", "en": "{s:.1f}s"},
    "train": {"ko": "학습", "en": "train"},
    "val": {"ko": "검증", "en": "val"},
    "test": {"ko": "테스트", "en": "test"},
    "loss_axis": {"ko": "손실", "en": "loss"},
    "log_on": {"ko": "로그 스케일 (log scale) 켬", "en": "log scale on"},
    "log_off": {"ko": "선형 스케일 (linear scale)", "en": "linear scale"},
    "cap_boundary": {"ko": "결정 경계 (decision boundary) · {step}단계",
                     "en": "Decision boundary · step {step}"},
    "cap_grad": {"ko": "층별 기울기 노름 (gradient norm) ‖∂L/∂θ‖ · 로그 막대 · {step}단계",
                 "en": "Per-layer gradient norm ‖∂L/∂θ‖ · log-scale bars · step {step}"},
    "cap_fit": {"ko": "적합 (fit): 점 = 목표 (target), 선 = 예측 (prediction)",
                "en": "The fit: dots = target, lines = prediction"},
    "cap_confusion": {"ko": "혼동 행렬 (confusion matrix) · 행 = 실제, 열 = 예측",
                      "en": "Confusion matrix · rows = actual, columns = predicted"},
    "cap_trajectory": {"ko": "손실 곡면 (loss surface) 위의 경로 (trajectory) · 밝을수록 손실이 큼",
                       "en": "Trajectories on the loss surface · brighter = higher loss"},
    "cap_gradcheck": {"ko": "기울기 검사 (gradient check): 해석적 vs 수치적",
                      "en": "Gradient check: analytic vs numerical"},
    "gc_layer": {"ko": "층 (layer)", "en": "layer"},
    "gc_analytic": {"ko": "해석적 (analytic)", "en": "analytic"},
    "gc_numeric": {"ko": "수치적 (numerical)", "en": "numerical"},
    "gc_error": {"ko": "상대 오차 (rel. error)", "en": "rel. error"},
    "target": {"ko": "목표", "en": "target"},
    "playground_title": {"ko": "플레이그라운드 (playground) — 터미널 속 TensorFlow Playground",
                         "en": "Playground — a TensorFlow Playground in the terminal"},
    "settings": {"ko": "설정 (settings)", "en": "Settings"},
    "playground_missing": {"ko": "플레이그라운드 실험이 아직 없습니다.", "en": "The playground experiment is not available yet."},
}

def rtr(key: str, lang: str, **values: object) -> str:
    """The run-panel string ``key`` in ``lang`` (English if ``lang`` is unknown), filled in."""
    return translate(RUN_STRINGS, key, lang, **values)


def variant_label(name: str, lang: str) -> str:
    """A variant's name in ``lang`` (the experiments' own labels; the name itself without them)."""
    try:
        from tutor.experiments import variant_label as label  # noqa: PLC0415
    except ImportError:
        return name
    return label(name, lang)


def bilingual(value, lang: str) -> str:
    """A {"ko","en"} dict, a Text-like object with .get(lang), or a plain string."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("en") or next(iter(value.values()), ""))
    getter = getattr(value, "get", None)
    if callable(getter):
        try:
            return str(getter(lang))
        except TypeError:
            pass
    return str(value)
