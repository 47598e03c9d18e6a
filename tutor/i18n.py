"""Every learner-facing string of the interface and the CLI, in Korean and English.

Technical terms keep the English word beside the Korean one, as learners search both.
"""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "app_title": {"ko": "Why Tutor — 왜?를 묻는 딥러닝", "en": "Why Tutor — deep learning, by asking why"},
    "continue": {"ko": "▶ 이어서 하기: {title} ({step}/{total}단계)",
                 "en": "▶ Continue: {title} (step {step} of {total})"},
    "continue_ascii": {"ko": "> 이어서 하기: {title} ({step}/{total}단계)",
                       "en": "> Continue: {title} (step {step} of {total})"},
    "chapter": {"ko": "{n}장. {title}", "en": "Chapter {n}. {title}"},
    "no_lessons": {"ko": "    (레슨 준비 중)", "en": "    (lessons coming)"},
    "bad_files": {"ko": "읽지 못한 파일 {n}개: {files} — `tutor validate`로 자세히 보세요.",
                  "en": "{n} file(s) could not be loaded: {files} — run `tutor validate` for details."},
    "home_hint": {"ko": "↑↓ 고르기 · Enter 열기 · L 언어 · ? 도움말 · q 종료",
                  "en": "↑↓ choose · Enter open · L language · ? help · q quit"},
    # bindings
    "b_open": {"ko": "열기", "en": "Open"},
    "b_quit": {"ko": "종료", "en": "Quit"},
    "b_back": {"ko": "뒤로", "en": "Back"},
    "b_help": {"ko": "도움말", "en": "Help"},
    "b_next": {"ko": "다음", "en": "Next"},
    "b_skip": {"ko": "레벨 3 건너뛰기", "en": "Skip level 3"},
    "b_type": {"ko": "답 쓰기", "en": "Type answer"},
    "b_lang": {"ko": "언어", "en": "Language"},
    "b_submit": {"ko": "제출", "en": "Submit"},
    # lesson
    "step_of": {"ko": "{step}/{total}단계", "en": "step {step} of {total}"},
    "level": {"ko": "레벨 {n}", "en": "level {n}"},
    "why_label": {"ko": "왜? (WHY)", "en": "WHY?"},
    "why_think": {"ko": "먼저 스스로 답해 보세요. [t] 답 쓰기 · [space] 모범 답안 보기",
                  "en": "Answer it yourself first. [t] type an answer · [space] reveal the model answer"},
    "model_answer": {"ko": "모범 답안", "en": "Model answer"},
    "key_points": {"ko": "핵심 포인트", "en": "Key points"},
    "your_answer": {"ko": "내 답", "en": "Your answer"},
    "rate_prompt": {"ko": "스스로 평가하세요: [1] 다시 [2] 어려움 [3] 좋음 [4] 쉬움",
                    "en": "Rate yourself: [1] again [2] hard [3] good [4] easy"},
    "rate_first": {"ko": "먼저 1–4로 스스로 평가해 주세요.", "en": "Rate yourself 1–4 first."},
    "rated": {"ko": "평가: {rating} — [space] 다음", "en": "Rated: {rating} — [space] next"},
    "rating_1": {"ko": "다시 (again)", "en": "again"},
    "rating_2": {"ko": "어려움 (hard)", "en": "hard"},
    "rating_3": {"ko": "좋음 (good)", "en": "good"},
    "rating_4": {"ko": "쉬움 (easy)", "en": "easy"},
    "derivation_label": {"ko": "유도 (derivation)", "en": "Derivation"},
    "derivation_hint": {"ko": "[space] 다음 줄 ({shown}/{total})", "en": "[space] next line ({shown}/{total})"},
    "derivation_skip_hint": {"ko": "[space] 다음 줄 ({shown}/{total}) · [s] 레벨 3 건너뛰기",
                             "en": "[space] next line ({shown}/{total}) · [s] skip (level 3)"},
    "derivation_done": {"ko": "유도 끝 — [space] 다음", "en": "Derivation complete — [space] next"},
    "derivation_skipped": {"ko": "건너뜀 (레벨 3) — 나중에 다시 보세요.", "en": "Skipped (level 3) — come back to it later."},
    "given": {"ko": "출발점", "en": "Given"},
    "quiz_label": {"ko": "퀴즈", "en": "Quiz"},
    "quiz_choose": {"ko": "번호를 눌러 답하세요.", "en": "Press a number to answer."},
    "quiz_multi": {"ko": "번호로 고르고(여러 개) Enter로 제출하세요.",
                   "en": "Press numbers to select (several may be right), Enter to submit."},
    "quiz_numeric": {"ko": "숫자를 입력하고 Enter를 누르세요.", "en": "Type a number and press Enter."},
    "quiz_order": {"ko": "올바른 순서를 번호로 입력하세요 (예: 3 1 2) 후 Enter.",
                   "en": "Type the right order as numbers (e.g. 3 1 2), then Enter."},
    "correct": {"ko": "정답입니다!", "en": "Correct!"},
    "wrong": {"ko": "틀렸습니다. 정답: {answer}", "en": "Not quite. The answer: {answer}"},
    "explanation": {"ko": "해설", "en": "Why"},
    "quiz_missing": {"ko": "문항 {ref}을(를) 찾을 수 없습니다.", "en": "Question {ref} was not found."},
    "lesson_done": {"ko": "레슨 완료! [space] 또는 q로 홈으로", "en": "Lesson complete! [space] or q for home"},
    "next_hint": {"ko": "[space] 다음", "en": "[space] next"},
    # help
    "help_title": {"ko": "키 안내", "en": "Keys"},
    "help_body": {
        "ko": (
            "**홈**\n\n- ↑/↓: 고르기 · Enter: 레슨 열기 · L: 한국어/English · q: 종료\n\n"
            "**레슨**\n\n- space / Enter: 다음 (답 공개, 유도의 다음 줄, 다음 단계)\n"
            "- 1–4: 자기 평가 (1 다시, 2 어려움, 3 좋음, 4 쉬움) 또는 객관식 답\n"
            "- t: 답 쓰기 (왜? 질문) · Esc: 입력 끝내기\n- s: 레벨 3 유도 건너뛰기\n"
            "- ↑/↓, PgUp/PgDn: 스크롤 · q / Esc: 홈으로 (진도는 저장됩니다)\n\n"
            "**어디서나**\n\n- ?: 이 도움말 · Ctrl+P: 명령 팔레트 (command palette)\n\n"
            "진도는 `{db}`에 저장됩니다."
        ),
        "en": (
            "**Home**\n\n- ↑/↓: choose · Enter: open a lesson · L: 한국어/English · q: quit\n\n"
            "**Lesson**\n\n- space / Enter: next (reveal the answer, the next line of a derivation, "
            "the next step)\n- 1–4: rate yourself (1 again, 2 hard, 3 good, 4 easy) or answer a "
            "multiple-choice question\n- t: type an answer (why questions) · Esc: stop typing\n"
            "- s: skip a level-3 derivation\n- ↑/↓, PgUp/PgDn: scroll · q / Esc: home (progress is saved)\n\n"
            "**Everywhere**\n\n- ?: this help · Ctrl+P: command palette\n\n"
            "Progress is stored in `{db}`."
        ),
    },
    "help_close": {"ko": "Esc 또는 q로 닫기", "en": "Esc or q to close"},
    "notice_db": {"ko": "진도 파일 문제: {msg}", "en": "Progress file: {msg}"},
    # answers that cannot be read
    "bad_choice": {"ko": "1부터 {n}까지 번호 하나를 고르세요.", "en": "Choose one number from 1 to {n}."},
    "bad_choices": {"ko": "1부터 {n}까지의 번호로 고르세요.", "en": "Choose numbers from 1 to {n}."},
    "bad_number": {"ko": "숫자가 아닙니다: {text}", "en": "Not a number: {text}"},
    "bad_order": {"ko": "1부터 {n}까지 각 번호를 한 번씩 쓰세요.", "en": "Use each number from 1 to {n} once."},

    # quiz sessions (plain and TUI)
    "session_empty": {"ko": "이 조건에 맞는 문항이 없습니다.", "en": "No questions match."},
    "session_empty_due": {"ko": "지금 복습할 항목이 없습니다. 잘하고 있어요!",
                          "en": "Nothing is due for review now. Well done!"},
    "q_header": {"ko": "[{i}/{n}] {id} · {chapter}장 · {tags}", "en": "[{i}/{n}] {id} · chapter {chapter} · {tags}"},
    "prompt_choice": {"ko": "답 (번호)> ", "en": "answer (number)> "},
    "prompt_multi": {"ko": "답 (번호 여러 개, 예: 1 3)> ", "en": "answer (numbers, e.g. 1 3)> "},
    "prompt_number": {"ko": "답 (숫자)> ", "en": "answer (a number)> "},
    "prompt_order": {"ko": "순서 (예: 3 1 2)> ", "en": "order (e.g. 3 1 2)> "},
    "prompt_why": {"ko": "내 답 (한 줄, 생각만 했다면 Enter)> ", "en": "your answer (one line, or Enter if you answered in your head)> "},
    "prompt_rate": {"ko": "자기 평가 1 다시 · 2 어려움 · 3 좋음 · 4 쉬움> ", "en": "rate yourself 1 again · 2 hard · 3 good · 4 easy> "},
    "prompt_predict": {"ko": "다음 줄을 예측해 보세요 (쓰거나 생각한 뒤 Enter)> ",
                       "en": "predict the next line (type it or think, then Enter)> "},
    "bad_rating": {"ko": "1, 2, 3, 4 중 하나를 입력하세요.", "en": "Type 1, 2, 3 or 4."},
    "summary": {"ko": "점수 {right}/{total} · 시간 {seconds}초", "en": "Score {right}/{total} · time {seconds}s"},
    "weakest": {"ko": "약한 태그: {tags}", "en": "Weakest tags: {tags}"},
    "ended_early": {"ko": "입력이 끝나 세션을 마칩니다. 지금까지의 답은 저장되었습니다.",
                    "en": "Input ended; the session stops here. Your answers so far are saved."},
    "session_done": {"ko": "세션 끝! [space] 또는 q로 돌아가기", "en": "Session complete! [space] or q to go back"},
    "menu_review": {"ko": "↻ 복습하기: 오늘 {n}개 (spaced repetition)", "en": "↻ Review: {n} due today (spaced repetition)"},
    "menu_quiz": {"ko": "✎ 퀴즈: 무작위 10문항", "en": "✎ Quiz: 10 random questions"},
    "menu_cram": {"ko": "⚡ 벼락치기: 가장 잊기 쉬운 것부터 (면접 전날)", "en": "⚡ Cram: least remembered first (the night before an interview)"},
    "menu_interview": {"ko": "☏ 모의 면접 (mock interview)", "en": "☏ Mock interview"},
    "menu_playground": {"ko": "◎ 플레이그라운드 (TensorFlow Playground)", "en": "◎ Playground (a terminal TensorFlow Playground)"},
    "menu_stats": {"ko": "▤ 학습 통계", "en": "▤ Progress and statistics"},
    "iv_header": {"ko": "[{i}/{n}] 면접 질문 · 남은 시간 {left}", "en": "[{i}/{n}] Interview question · time left {left}"},
    "iv_follow_up": {"ko": "꼬리 질문 (follow-up)", "en": "Follow-up question"},
    "iv_answer_prompt": {"ko": "답 (한 줄; 말로 답했다면 메모)> ", "en": "answer (one line; if you answered aloud, a note)> "},
    "iv_tick_prompt": {"ko": "다룬 핵심 포인트 번호 (예: 1 3, 없으면 Enter)> ",
                       "en": "key points you covered (e.g. 1 3; Enter for none)> "},
    "iv_time_up": {"ko": "시간이 다 되었습니다.", "en": "Time is up."},
    "iv_report": {"ko": "면접 보고서: {path}", "en": "Interview report: {path}"},
    "iv_score": {"ko": "핵심 포인트 {got}/{total} · {minutes:.1f}분", "en": "Key points {got}/{total} · {minutes:.1f} min"},
    "iv_empty": {"ko": "조건에 맞는 면접 질문이 없습니다.", "en": "No interview questions match."},
    "iv_hint_answer": {"ko": "답을 쓰고 Ctrl+S로 제출 (말로 답했다면 메모만)", "en": "Type your answer, Ctrl+S to submit (answered aloud? a note is enough)"},
    "iv_hint_tick": {"ko": "다룬 포인트를 space로 체크하고 Ctrl+S로 다음", "en": "Tick the points you covered with space, Ctrl+S for next"},
    "derivation_practice": {"ko": "유도 연습: {title}", "en": "Derivation practice: {title}"},
    # -- lesson path (ui) --
    # -- store and files --
    # -- content validation --
    # -- cli and plain sessions --
    # -- grading --
}


def translate(table: dict[str, dict[str, str]], key: str, lang: str, **values: object) -> str:
    """``table[key]`` in ``lang`` (English for an unknown language), with ``values`` filled in."""
    entry = table[key]
    text = entry.get(lang, entry["en"])
    return text.format(**values) if values else text


def tr(key: str, lang: str, **values: object) -> str:
    """The interface string ``key`` in ``lang``, with ``values`` filled in."""
    return translate(STRINGS, key, lang, **values)


# Tag slugs as a learner reads them. Every tag used in the bundled banks and lessons has an
# entry (a test checks); an unknown tag (a learner's own content) falls back to its slug in words.
TAG_NAMES: dict[str, dict[str, str]] = {
    "accuracy": {"ko": "정확도(accuracy)", "en": "accuracy"},
    "activation": {"ko": "활성화 함수(activation)", "en": "activation functions"},
    "adam": {"ko": "Adam", "en": "Adam"},
    "attention": {"ko": "어텐션(attention)", "en": "attention"},
    "backpropagation": {"ko": "역전파(backpropagation)", "en": "backpropagation"},
    "batch-norm": {"ko": "배치 정규화(batch norm)", "en": "batch normalization"},
    "bias": {"ko": "편향(bias)", "en": "bias"},
    "cauchy-schwarz": {"ko": "코시-슈바르츠 부등식(Cauchy–Schwarz)", "en": "Cauchy–Schwarz inequality"},
    "chain-rule": {"ko": "연쇄 법칙(chain rule)", "en": "chain rule"},
    "cnn": {"ko": "합성곱 신경망(CNN)", "en": "CNNs"},
    "confusion-matrix": {"ko": "혼동 행렬(confusion matrix)", "en": "confusion matrix"},
    "contour": {"ko": "등고선(contour)", "en": "contour lines"},
    "convergence": {"ko": "수렴(convergence)", "en": "convergence"},
    "convolution": {"ko": "합성곱(convolution)", "en": "convolution"},
    "cross-entropy": {"ko": "교차 엔트로피(cross-entropy)", "en": "cross-entropy"},
    "definition": {"ko": "정의(definition)", "en": "definitions"},
    "derivation": {"ko": "유도(derivation)", "en": "derivations"},
    "directional-derivative": {"ko": "방향 도함수(directional derivative)", "en": "directional derivative"},
    "divergence": {"ko": "발산(divergence)", "en": "divergence"},
    "dropout": {"ko": "드롭아웃(dropout)", "en": "dropout"},
    "entropy": {"ko": "엔트로피(entropy)", "en": "entropy"},
    "evaluation": {"ko": "평가(evaluation)", "en": "evaluation"},
    "f1": {"ko": "F1 점수(F1 score)", "en": "F1 score"},
    "forward-pass": {"ko": "순전파(forward pass)", "en": "forward pass"},
    "gradient": {"ko": "기울기(gradient)", "en": "gradient"},
    "gradient-descent": {"ko": "경사 하강법(gradient descent)", "en": "gradient descent"},
    "information-theory": {"ko": "정보 이론(information theory)", "en": "information theory"},
    "initialization": {"ko": "가중치 초기화(initialization)", "en": "initialization"},
    "key-question": {"ko": "핵심 질문(key question)", "en": "key questions"},
    "kl-divergence": {"ko": "KL 발산(KL divergence)", "en": "KL divergence"},
    "learning-rate": {"ko": "학습률(learning rate)", "en": "learning rate"},
    "lesson": {"ko": "레슨 질문(lesson)", "en": "lesson questions"},
    "likelihood": {"ko": "가능도(likelihood)", "en": "likelihood"},
    "linear-regression": {"ko": "선형 회귀(linear regression)", "en": "linear regression"},
    "linear-separability": {"ko": "선형 분리 가능성(linear separability)", "en": "linear separability"},
    "linearity": {"ko": "선형성(linearity)", "en": "linearity"},
    "logic-gates": {"ko": "논리 게이트(logic gates)", "en": "logic gates"},
    "logit": {"ko": "로짓(logit)", "en": "logits"},
    "long-term-dependency": {"ko": "장기 의존성(long-term dependency)", "en": "long-term dependencies"},
    "loss": {"ko": "손실 함수(loss)", "en": "loss functions"},
    "matrix": {"ko": "행렬(matrix)", "en": "matrices"},
    "matrix-calculus": {"ko": "행렬 미분(matrix calculus)", "en": "matrix calculus"},
    "mle": {"ko": "최대 가능도 추정(MLE)", "en": "maximum likelihood (MLE)"},
    "mlp": {"ko": "다층 퍼셉트론(MLP)", "en": "multilayer perceptrons (MLP)"},
    "momentum": {"ko": "모멘텀(momentum)", "en": "momentum"},
    "mse": {"ko": "평균 제곱 오차(MSE)", "en": "mean squared error (MSE)"},
    "multi-class": {"ko": "다중 분류(multi-class)", "en": "multi-class classification"},
    "multilayer": {"ko": "다층 신경망(multilayer)", "en": "multilayer networks"},
    "neural-network": {"ko": "신경망(neural network)", "en": "neural networks"},
    "neuron": {"ko": "뉴런(neuron)", "en": "neurons"},
    "numerics": {"ko": "수치 계산(numerics)", "en": "numerics"},
    "one-hot": {"ko": "원-핫 인코딩(one-hot)", "en": "one-hot encoding"},
    "optimizer": {"ko": "옵티마이저(optimizer)", "en": "optimizers"},
    "oscillation": {"ko": "진동(oscillation)", "en": "oscillation"},
    "output-layer": {"ko": "출력층(output layer)", "en": "output layer"},
    "overfitting": {"ko": "과적합(overfitting)", "en": "overfitting"},
    "overflow": {"ko": "오버플로(overflow)", "en": "overflow"},
    "padding": {"ko": "패딩(padding)", "en": "padding"},
    "parameter-count": {"ko": "파라미터 수(parameter count)", "en": "parameter count"},
    "parameters": {"ko": "파라미터(parameters)", "en": "parameters"},
    "perceptron": {"ko": "퍼셉트론(perceptron)", "en": "perceptron"},
    "precision": {"ko": "정밀도(precision)", "en": "precision"},
    "probability": {"ko": "확률(probability)", "en": "probability"},
    "proof": {"ko": "증명(proof)", "en": "proofs"},
    "recall": {"ko": "재현율(recall)", "en": "recall"},
    "regularization": {"ko": "정규화(regularization)", "en": "regularization"},
    "relu": {"ko": "ReLU", "en": "ReLU"},
    "rnn": {"ko": "순환 신경망(RNN)", "en": "RNNs"},
    "sigmoid": {"ko": "시그모이드(sigmoid)", "en": "sigmoid"},
    "skip-connection": {"ko": "스킵 연결(skip connection)", "en": "skip connections"},
    "softmax": {"ko": "소프트맥스(softmax)", "en": "softmax"},
    "steepest-ascent": {"ko": "가장 가파른 오르막(steepest ascent)", "en": "steepest ascent"},
    "step-function": {"ko": "계단 함수(step function)", "en": "step function"},
    "stride": {"ko": "스트라이드(stride)", "en": "stride"},
    "training": {"ko": "학습(training)", "en": "training"},
    "training-loop": {"ko": "학습 루프(training loop)", "en": "training loop"},
    "transformer": {"ko": "트랜스포머(transformer)", "en": "transformers"},
    "vanishing-gradient": {"ko": "기울기 소실(vanishing gradient)", "en": "vanishing gradients"},
    "weight": {"ko": "가중치(weight)", "en": "weights"},
    "xor": {"ko": "XOR 문제(XOR)", "en": "XOR"},
}


def tag_name(slug: str, lang: str) -> str:
    """A tag as a learner reads it: its translated name, else the slug with spaces."""
    if slug in TAG_NAMES:
        return translate(TAG_NAMES, slug, lang)
    return slug.replace("-", " ").replace("_", " ")
