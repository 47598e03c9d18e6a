"""Content written by an attacker: every fault is one `file:line: field: reason` message, in
bounded time, the other files still load, and nothing on disk changes.

Each case puts one hostile file beside a good lesson and loads the folder.
"""

from __future__ import annotations

import os
import socket
import stat
import time
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.content import load_library, safe_text
from tutor.content.yamlsource import MAX_BYTES

GOOD = """\
id: 03-91-good
chapter: 3
title: {ko: "좋은 레슨", en: "Good lesson"}
steps:
  - prose: {ko: "글", en: "text"}
"""

LESSON = """\
id: 03-92-hostile
chapter: 3
title: {{ko: "제목", en: "Title"}}
steps:
{steps}
"""

BANK = """\
questions:
  - id: hostile-q
    type: mcq
    chapter: 3
    tags: [{tags}]
    q: {{ko: "질문", en: "{q}"}}
    choices:
      - {{ko: "가", en: "a"}}
      - {{ko: "나", en: "b"}}
    answer: 0
    explanation: {{ko: "해설", en: "{explanation}"}}
  - id: hostile-good-q
    type: mcq
    chapter: 3
    q: {{ko: "질문", en: "question"}}
    choices:
      - {{ko: "가", en: "a"}}
      - {{ko: "나", en: "b"}}
    answer: 1
    explanation: {{ko: "해설", en: "why"}}
"""


def lesson(steps: str) -> str:
    return LESSON.format(steps=steps)


def bank(tags: str = "backprop", q: str = "question", explanation: str = "why") -> str:
    return BANK.format(tags=tags, q=q, explanation=explanation)


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder``: regular files by content, the rest by kind."""
    out: dict[str, bytes | str] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            mode = os.lstat(path).st_mode
            rel = str(path.relative_to(folder))
            out[rel] = path.read_bytes() if stat.S_ISREG(mode) else stat.filemode(mode)
    return out


def load_beside_good(tmp_path: Path, name: str, content: str | bytes):
    """Load a folder holding the good lesson and one hostile file; check nothing changed."""
    folder = tmp_path / "content"
    folder.mkdir(exist_ok=True)
    (folder / "a-good.yaml").write_text(GOOD, encoding="utf-8")
    target = folder / name
    if isinstance(content, str):
        target.write_text(content, encoding="utf-8")
    else:
        target.write_bytes(content)
    before = snapshot(folder)
    started = time.process_time()   # CPU seconds: the bound is on work, not on a busy machine
    lib = load_library([folder])
    assert time.process_time() - started < 5
    assert snapshot(folder) == before
    assert "03-91-good" in lib.lessons
    assert not [e for e in lib.errors if e.file.endswith("a-good.yaml")]
    return lib, [str(e) for e in lib.errors]


def only_error(tmp_path: Path, name: str, content: str | bytes) -> str:
    lib, errors = load_beside_good(tmp_path, name, content)
    assert len(errors) == 1, errors
    assert "03-92-hostile" not in lib.lessons
    return errors[0].split("content/", 1)[1]


# --------------------------------------------------------------------------- control characters

@pytest.mark.parametrize("escape,name", [
    (r"\e", "U+001B (ESC)"),
    (r"\a", "U+0007 (BEL)"),
    (r"\e]52;c;ZXZpbA==\a", "U+001B (ESC)"),  # OSC 52: writes the clipboard
    (r"\e]8;;file:///etc/passwd\e\\", "U+001B (ESC)"),  # OSC 8: a hidden link
    (r"\x9b", "U+009B (CSI)"),
    (r"\x9d", "U+009D (OSC)"),
    (r"\x7f", "U+007F (DEL)"),
    (r"\0", "U+0000 (NUL)"),
    (r"\r", "U+000D (CR)"),
    (r"\b", "U+0008 (BS)"),
])
def test_escaped_control_character_in_a_why_question(tmp_path, escape, name):
    text = lesson(f'  - prose: {{ko: "글", en: "text"}}\n'
                  f'  - why:\n'
                  f'      q: {{ko: "질문", en: "why{escape}?"}}\n'
                  f'      a: {{ko: "답", en: "answer"}}\n'
                  f'      points: [{{ko: "점", en: "point"}}]')
    assert only_error(tmp_path, "x.yaml", text) == \
        f"x.yaml:7: steps[1].why.q.en: control character {name} is not allowed"


@pytest.mark.parametrize("escape,name", [
    (r"\u202e", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    (r"\u202a", "U+202A (LEFT-TO-RIGHT EMBEDDING)"),
    (r"\u2066", "U+2066 (LEFT-TO-RIGHT ISOLATE)"),
    (r"\u2069", "U+2069 (POP DIRECTIONAL ISOLATE)"),
])
def test_bidi_control_in_a_title(tmp_path, escape, name):
    text = LESSON.replace('en: "Title"', f'en: "Ti{escape}tle"').format(
        steps='  - prose: {ko: "글", en: "text"}')
    assert only_error(tmp_path, "x.yaml", text) == \
        f"x.yaml:3: title.en: bidi control {name} is not allowed"


def test_raw_escape_byte_names_its_line(tmp_path):
    text = lesson('  - prose: {ko: "글", en: "\x1b[2J\x1b[Hcleared"}')
    assert only_error(tmp_path, "x.yaml", text) == \
        "x.yaml:5: control character U+001B (ESC) is not allowed"


def test_raw_bidi_override_that_yaml_itself_accepts(tmp_path):
    text = lesson('  - prose: {ko: "글", en: "abc\u202etxt.exe"}')
    assert only_error(tmp_path, "x.yaml", text) == \
        "x.yaml:5: bidi control U+202E (RIGHT-TO-LEFT OVERRIDE) is not allowed"


def test_raw_c1_byte(tmp_path):
    text = lesson('  - prose: {ko: "글", en: "a\x85b"}')
    assert only_error(tmp_path, "x.yaml", text) == \
        "x.yaml:5: control character U+0085 (C1 control) is not allowed"


def test_control_character_in_a_key(tmp_path):
    text = lesson('  - prose: {ko: "글", "e\\en": "text"}')
    assert only_error(tmp_path, "x.yaml", text) == \
        "x.yaml:5: steps[0].prose.e: control character U+001B (ESC) is not allowed"


def test_control_character_in_derivation_math(tmp_path):
    text = lesson('  - derivation:\n'
                  '      title: {ko: "유도", en: "Derivation"}\n'
                  '      steps:\n'
                  '        - math: "x = 1\\a"\n'
                  '          why: {ko: "정의", en: "definition"}')
    assert only_error(tmp_path, "x.yaml", text) == \
        "x.yaml:8: steps[0].derivation.steps[0].math: control character U+0007 (BEL) " \
        "is not allowed"


def test_control_character_in_a_bank_choice(tmp_path):
    text = bank().replace('en: "b"}', 'en: "b\\e[5m"}', 1)
    assert only_error(tmp_path, "bank.yaml", text) == \
        "bank.yaml:9: questions[0].choices[1].en: control character U+001B (ESC) is not allowed"


def test_many_control_characters_are_capped(tmp_path):
    steps = "\n".join(f'  - prose: {{ko: "글", en: "t\\e{i}"}}' for i in range(60))
    lib, errors = load_beside_good(tmp_path, "x.yaml", lesson(steps))
    assert len(errors) == 20
    assert errors[-1].endswith("x.yaml:24: steps[19].prose.en: control character U+001B (ESC) "
                               "is not allowed")


def test_file_name_with_escape_sequence_is_printed_safely(tmp_path):
    lib, errors = load_beside_good(tmp_path, "\x1b]0;pwned\x07.yaml", "- a list\n")
    assert len(errors) == 1
    assert "\x1b" not in errors[0] and "\x07" not in errors[0]
    assert errors[0].endswith(".yaml:1: expected a mapping at the top of the file "
                              "(a lesson, `questions:` or `chapters:`)")


def test_markup_looking_text_is_kept_verbatim_as_data(tmp_path):
    text = lesson('  - prose: {ko: "W[l] [@click=app.quit]끝[/]", en: "[b]bold[/b] W[l]"}')
    lib, errors = load_beside_good(tmp_path, "x.yaml", text)
    assert errors == []
    prose = lib.lessons["03-92-hostile"].steps[0].prose
    assert (prose.ko, prose.en) == ("W[l] [@click=app.quit]끝[/]", "[b]bold[/b] W[l]")


def test_safe_text_strips_sequences_and_replaces_the_rest():
    assert safe_text("a\x1b]52;c;ZXZpbA==\x07b") == "ab"
    assert safe_text("\x1b[31mred\x1b[0m") == "red"
    assert safe_text("x\u202ey\x9b2Jz\x00") == "x\ufffdyz\ufffd"
    assert safe_text("tab\tand\nnewline 한국어") == "tab\tand\nnewline 한국어"


# --------------------------------------------------------------------------- links

@pytest.mark.parametrize("link,target", [
    ("[click](javascript:alert(1))", "'javascript:alert(1)'"),
    ("<file:///etc/passwd>", "'file:///etc/passwd'"),
    ("[notes](../../secret.md)", "'../../secret.md'"),
    ("[quit](app.quit)", "'app.quit'"),
    ("![img](data:text/html;base64,PHNjcmlwdD4=)", "'data:text/html;base64,PHNjcmlwdD4='"),
    ("[x](//evil.example/a)", "'//evil.example/a'"),
    ("write to root@example.com", "'mailto:root@example.com'"),
    ("see ftp://example.com/x", "'ftp://example.com/x'"),
])
def test_non_web_link_in_prose(tmp_path, link, target):
    text = lesson(f'  - prose: {{ko: "글", en: "{link}"}}')
    assert only_error(tmp_path, "x.yaml", text) == \
        f"x.yaml:5: steps[0].prose: en: link to {target} is not allowed; " \
        f"links must be http:// or https:// addresses"


def test_reference_style_link_definition(tmp_path):
    text = lesson('  - prose:\n      ko: "글"\n      en: "see [docs][d]\\n\\n[d]: file:///etc/shadow"')
    assert only_error(tmp_path, "x.yaml", text) == \
        "x.yaml:5: steps[0].prose: en: link to 'file:///etc/shadow' is not allowed; " \
        "links must be http:// or https:// addresses"


def test_non_web_link_in_a_bank_explanation_keeps_the_good_question(tmp_path):
    lib, errors = load_beside_good(tmp_path, "bank.yaml",
                                   bank(explanation="[run](vbscript:msgbox)"))
    assert [e.split("content/", 1)[1] for e in errors] == [
        "bank.yaml:11: questions[0].explanation: en: link to 'vbscript:msgbox' is not allowed; "
        "links must be http:// or https:// addresses"]
    assert "hostile-good-q" in lib.questions and "hostile-q" not in lib.questions


def test_web_links_are_allowed(tmp_path):
    text = lesson('  - prose: {ko: "<https://example.com>", en: "[paper](HTTPS://arxiv.org/abs/1)'
                  ' and http://example.com"}')
    lib, errors = load_beside_good(tmp_path, "x.yaml", text)
    assert errors == [] and "03-92-hostile" in lib.lessons


# --------------------------------------------------------------------------- ids and tags

@pytest.mark.parametrize("tag", ["deep learning", "Backprop", "back_prop", "-x", "태그"])
def test_tag_that_anki_cannot_take(tmp_path, tag):
    lib, errors = load_beside_good(tmp_path, "bank.yaml", bank(tags=f'"{tag}"'))
    assert [e.split("content/", 1)[1] for e in errors] == [
        f"bank.yaml:5: questions[0].tags[0]: {tag!r} is not a valid tag (lowercase letters, "
        f"digits and '-', no spaces)"]
    assert "hostile-good-q" in lib.questions


def test_question_id_too_long(tmp_path):
    long_id = "q" * 81
    lib, errors = load_beside_good(tmp_path, "bank.yaml",
                                   bank().replace("hostile-q\n", f"{long_id}\n"))
    assert [e.split("content/", 1)[1] for e in errors] == [
        "bank.yaml:2: questions[0].id: longer than 80 characters"]


def test_follow_up_and_ref_must_be_ids(tmp_path):
    text = lesson('  - quiz: {ref: "a b"}')
    assert only_error(tmp_path, "x.yaml", text) == \
        "x.yaml:5: steps[0].quiz.ref: 'a b' is not a valid id (lowercase letters, digits " \
        "and '-', no spaces)"


# --------------------------------------------------------------------------- loading bounds

def test_file_over_two_megabytes(tmp_path):
    text = lesson('  - prose: {ko: "글", en: "text"}') + "#" * (MAX_BYTES + 10) + "\n"
    assert only_error(tmp_path, "x.yaml", text) == \
        "x.yaml: the file is 2.0 MB; a content file may be at most 2 MB"


def test_deep_nesting(tmp_path):
    text = lesson("  - prose: " + "[" * 5000 + "]" * 5000)
    assert only_error(tmp_path, "x.yaml", text) == "x.yaml:5: nested deeper than 32 levels"


def test_billion_laughs(tmp_path):
    rows = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        rows.append(f"{chr(ord('a') + i)}: &{chr(ord('a') + i)} [{', '.join(['*' + prev] * 10)}]")
    message = only_error(tmp_path, "x.yaml", "\n".join(rows) + "\n")
    assert message == ("x.yaml:5: more than 25000 values once aliases are expanded; "
                       "the file is too large or loops")  # where *d is expanded past the limit


def test_merge_keys_that_expand_without_end(tmp_path):
    rows = ["a0: &a0 {k0: [x, x, x, x, x, x, x, x, x, x]}"]
    for i in range(1, 12):
        rows.append(f"a{i}: &a{i} {{<<: *a{i - 1}, k{i}: [{', '.join(['*a' + str(i - 1)] * 10)}]}}")
    message = only_error(tmp_path, "x.yaml", "\n".join(rows) + "\n")
    assert message.endswith("more than 25000 values once aliases are expanded; "
                            "the file is too large or loops")


def test_many_plain_values_stop_early(tmp_path):
    text = "questions:\n" + "  - x\n" * 200_000  # 1.2 MB: under the size limit
    started = time.process_time()   # CPU seconds: the bound is on work, not on a busy machine
    assert only_error(tmp_path, "bank.yaml", text) == (
        "bank.yaml:24999: more than 25000 values once aliases are expanded; "
        "the file is too large or loops")
    assert time.process_time() - started < 5


def test_text_too_long(tmp_path):
    text = lesson(f'  - prose: {{ko: "글", en: "{"a" * 20_001}"}}')
    assert only_error(tmp_path, "x.yaml", text) == \
        "x.yaml:5: steps[0].prose.en: longer than 20000 characters"


def test_too_many_links_in_one_text(tmp_path):
    links = " ".join(["[a](https://example.com)"] * 201)
    text = lesson(f'  - prose: {{ko: "글", en: "{links}"}}')
    assert only_error(tmp_path, "x.yaml", text) == \
        "x.yaml:5: steps[0].prose: en: more than 200 links, brackets, '<' or '@' in one text; " \
        "split it into steps"


def test_alias_inside_its_own_anchor(tmp_path):
    assert only_error(tmp_path, "x.yaml", "a: &loop [*loop]\n") == \
        "x.yaml:1: nested deeper than 32 levels (an alias inside its own anchor?)"


@pytest.mark.parametrize("literal", ["1" + "0" * 100_000, "0x" + "f" * 5000, "1." + "5" * 40,
                                     "1" + "_000" * 20])
def test_huge_number_literal(tmp_path, literal):
    text = bank().replace("answer: 0", f"answer: {literal}")
    lib, errors = load_beside_good(tmp_path, "bank.yaml", text)
    assert [e.split("content/", 1)[1] for e in errors] == [
        f"bank.yaml:10: questions[0].answer: number has {len(literal)} characters; "
        f"at most 32 are allowed"]


@pytest.mark.parametrize("field,value,message", [
    ("answer", "1.0e+999999", "numeric answer must be finite"),
    ("answer", ".nan", "numeric answer must be finite"),
    ("tolerance", ".inf", "must be a finite number"),
])
def test_infinite_numbers(tmp_path, field, value, message):
    text = ("questions:\n  - id: num\n    type: numeric\n    chapter: 3\n"
            '    q: {ko: "질문", en: "q"}\n    explanation: {ko: "해설", en: "e"}\n'
            "    answer: 1\n    tolerance: 0.1\n").replace(f"{field}: ", f"{field}: {value} #")
    line = 7 if field == "answer" else 8
    assert only_error(tmp_path, "bank.yaml", text) == \
        f"bank.yaml:{line}: questions[0].{field}: {message}"


def test_complex_key(tmp_path):
    text = GOOD.replace("03-91-good", "03-92-hostile") + "? [a, b]\n: c\n"
    assert only_error(tmp_path, "x.yaml", text) == \
        "x.yaml:6: a key must be plain text, not a list or mapping (complex YAML key)"


@pytest.mark.parametrize("key,kind", [("1", "a number"), ("on", "true/false"),
                                      ("~", "null"), ("2024-01-01", "a date"), ("1.5", "a number")])
def test_key_that_is_not_text(tmp_path, key, kind):
    text = lesson(f'  - prose: {{ko: "글", en: "text", {key}: "x"}}')
    assert only_error(tmp_path, "x.yaml", text) == \
        f"x.yaml:5: steps[0].prose: key {key!r} is read by YAML as {kind}, not text; quote it"


@pytest.mark.parametrize("tag", ["!!binary", "!!set", "!!omap", "!!python/object/apply:os.system",
                                 "!custom"])
def test_yaml_tags_outside_the_schema(tmp_path, tag):
    value = {"!!binary": "G1s=", "!!set": "{a, b}", "!!omap": "[a: 1]",
             "!!python/object/apply:os.system": '["touch pwned"]', "!custom": "x"}[tag]
    text = lesson(f"  - prose: {tag} {value}")
    shown = tag.replace("!!", "tag:yaml.org,2002:") if tag.startswith("!!python") else tag
    shown = shown.replace("tag:yaml.org,2002:", "!!")
    assert only_error(tmp_path, "x.yaml", text) == \
        f"x.yaml:5: steps[0].prose: YAML tag {shown} is not allowed"
    assert not (Path.cwd() / "pwned").exists()


def test_character_the_yaml_reader_rejects(tmp_path):
    text = lesson('  - prose: {ko: "글", en: "a\ufffeb"}')
    assert only_error(tmp_path, "x.yaml", text) == \
        "x.yaml:5: character U+FFFE (not a character) is not allowed in YAML"


def test_invalid_utf8_names_its_line(tmp_path):
    raw = lesson('  - prose: {ko: "글", en: "text"}').encode() + b'  - prose: {ko: "\xff\xfe"}\n'
    assert only_error(tmp_path, "x.yaml", raw) == \
        "x.yaml:6: not valid UTF-8 (byte 0xff); save the file as UTF-8"


def test_byte_order_mark(tmp_path):
    raw = b"\xef\xbb\xbf" + GOOD.replace("03-91-good", "03-92-hostile").encode()
    assert only_error(tmp_path, "x.yaml", raw) == \
        "x.yaml:1: the file starts with a byte-order mark (BOM); save it as UTF-8 without BOM"


@pytest.mark.parametrize("content", ["", "# only a comment\n", "\n\n"])
def test_empty_file(tmp_path, content):
    assert only_error(tmp_path, "x.yaml", content) == "x.yaml:1: the file is empty"


@pytest.mark.parametrize("content", ["- a\n- list\n", "just a scalar\n", "42\n", "null\n"])
def test_top_level_not_a_mapping(tmp_path, content):
    assert only_error(tmp_path, "x.yaml", content) == \
        "x.yaml:1: expected a mapping at the top of the file (a lesson, `questions:` or `chapters:`)"


@pytest.mark.parametrize("value,message", [("5", "expected a list"), ('"abc"', "expected a list"),
                                           ("[]", "must not be empty")])
def test_questions_that_are_not_a_list(tmp_path, value, message):
    assert only_error(tmp_path, "bank.yaml", f"questions: {value}\n") == \
        f"bank.yaml:1: questions: {message}"


def test_two_documents_in_one_file(tmp_path):
    text = GOOD.replace("03-91-good", "03-92-hostile") + "---\nid: other\n"
    message = only_error(tmp_path, "x.yaml", text)
    assert message == ("x.yaml:6: YAML syntax error: but found another document "
                       "(expected a single document in the stream)")


def test_undefined_alias(tmp_path):
    assert only_error(tmp_path, "x.yaml", "a: *nowhere\n") == \
        "x.yaml:1: YAML syntax error: found undefined alias 'nowhere'"


def test_latex_nested_too_deep(tmp_path):
    text = lesson('  - derivation:\n'
                  '      title: {ko: "유도", en: "Derivation"}\n'
                  '      steps:\n'
                  f'        - math: "{"{" * 500}x{"}" * 500}"\n'
                  '          why: {ko: "정의", en: "definition"}')
    assert only_error(tmp_path, "x.yaml", text) == \
        "x.yaml:8: steps[0].derivation.steps[0].math: formula nests deeper than 20 levels"


def test_latex_too_long_in_inline_math(tmp_path):
    formula = "x+" * 1500 + "x"
    text = lesson(f'  - prose: {{ko: "글", en: "${formula}$"}}')
    assert only_error(tmp_path, "x.yaml", text) == \
        f"x.yaml:5: steps[0].prose: en: unsupported math ${formula[:39]}…$: formula is " \
        f"{len(formula)} characters long; at most 2000 are allowed"


def test_latex_fraction_tower_in_inline_math(tmp_path):
    formula = "\\\\frac{" * 30 + "1" + "}{2}" * 30
    text = lesson(f'  - prose: {{ko: "글", en: "${formula}$"}}')
    assert only_error(tmp_path, "x.yaml", text).endswith(
        ": formula nests deeper than 20 levels")


# --------------------------------------------------------------------------- paths

def content_with_good(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "a-good.yaml").write_text(GOOD, encoding="utf-8")
    return folder


def errors_of(lib) -> list[str]:
    return [str(e).split("content/", 1)[-1] for e in lib.errors]


def test_fifo_is_skipped_without_being_opened(tmp_path, monkeypatch):
    folder = content_with_good(tmp_path)
    os.mkfifo(folder / "pipe.yaml")
    opened = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda p, *a, **k: (opened.append(str(p)),
                                                        real_open(p, *a, **k))[1])
    started = time.monotonic()
    lib = load_library([folder])
    assert time.monotonic() - started < 5
    assert errors_of(lib) == ["pipe.yaml: a FIFO, not a regular file; skipped without opening it"]
    assert not [p for p in opened if p.endswith("pipe.yaml")]
    assert list(lib.lessons) == ["03-91-good"]
    assert stat.S_ISFIFO(os.stat(folder / "pipe.yaml").st_mode)


def test_socket_is_skipped(tmp_path):
    folder = content_with_good(tmp_path)
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(folder / "s.yaml"))
        lib = load_library([folder])
    finally:
        sock.close()
    assert errors_of(lib) == ["s.yaml: a socket, not a regular file; skipped without opening it"]
    assert list(lib.lessons) == ["03-91-good"]


def test_symlink_to_a_device_is_skipped(tmp_path):
    folder = content_with_good(tmp_path)
    os.symlink("/dev/zero", folder / "zero.yaml")
    started = time.monotonic()
    lib = load_library([folder])
    assert time.monotonic() - started < 5
    assert errors_of(lib) == ["zero.yaml: a device, not a regular file; skipped without opening it"]
    assert list(lib.lessons) == ["03-91-good"]


def test_device_given_as_a_path(tmp_path):
    lib = load_library(["/dev/zero"])
    assert [str(e) for e in lib.errors] == [
        "/dev/zero: a device, not a regular file; skipped without opening it"]


def test_symlink_loops_end(tmp_path):
    folder = content_with_good(tmp_path)
    os.symlink(folder, folder / "loop")
    (folder / "sub").mkdir()
    os.symlink("..", folder / "sub" / "up")
    os.symlink("self.yaml", folder / "self.yaml")
    started = time.monotonic()
    lib = load_library([folder])
    assert time.monotonic() - started < 5
    assert errors_of(lib) == ["self.yaml: cannot read: too many levels of symbolic links"]
    assert list(lib.lessons) == ["03-91-good"] and lib.files_read == 1


def test_dangling_symlink(tmp_path):
    folder = content_with_good(tmp_path)
    os.symlink("gone.yaml", folder / "x.yaml")
    lib = load_library([folder])
    assert errors_of(lib) == ["x.yaml: cannot read: no such file or directory"]


def test_unreadable_file_is_reported(tmp_path, monkeypatch):
    folder = content_with_good(tmp_path)
    (folder / "secret.yaml").write_text(GOOD.replace("03-91-good", "03-92-hostile"), "utf-8")
    real_open = os.open

    def deny(path, *args, **kwargs):  # the tests run as root, who may read anything
        if str(path).endswith("secret.yaml"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    lib = load_library([folder])
    assert errors_of(lib) == ["secret.yaml: cannot read: permission denied"]
    assert list(lib.lessons) == ["03-91-good"]


def test_unreadable_folder_is_reported(tmp_path, monkeypatch):
    folder = content_with_good(tmp_path)
    (folder / "locked").mkdir()
    (folder / "locked" / "x.yaml").write_text(GOOD.replace("03-91-good", "03-92-hostile"), "utf-8")
    real_scandir = os.scandir

    def deny(path):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", deny)
    lib = load_library([folder])
    assert errors_of(lib) == ["locked: cannot read this folder: permission denied"]
    assert list(lib.lessons) == ["03-91-good"]


def test_path_that_does_not_exist_is_an_error(tmp_path):
    folder = content_with_good(tmp_path)
    lib = load_library([folder, tmp_path / "nope"])
    assert [str(e).split(str(tmp_path) + "/", 1)[-1] for e in lib.errors] == [
        "nope: no such file or directory"]
    assert list(lib.lessons) == ["03-91-good"]


def test_folders_nested_too_deep(tmp_path):
    folder = content_with_good(tmp_path)
    deep = folder
    for i in range(20):
        deep = deep / f"d{i}"
    deep.mkdir(parents=True)
    (deep / "x.yaml").write_text(GOOD.replace("03-91-good", "03-92-hostile"), "utf-8")
    lib = load_library([folder])
    assert len(lib.errors) == 1
    assert str(lib.errors[0]).endswith("/d16: folders nested deeper than 16 levels; not read")
    assert list(lib.lessons) == ["03-91-good"]


# --------------------------------------------------------------------------- the CLI

def test_validate_prints_one_safe_line_per_fault_and_no_traceback(tmp_path, capsys):
    folder = content_with_good(tmp_path)
    (folder / "x.yaml").write_text(lesson('  - prose: {ko: "글", en: "\\e]52;c;ZXZpbA==\\a"}'),
                                   encoding="utf-8")
    os.mkfifo(folder / "pipe.yaml")
    (folder / "deep.yaml").write_text("a: " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    before = snapshot(folder)
    assert main(["validate", str(folder)]) == 1
    out, err = capsys.readouterr()
    lines = [line.split("content/", 1)[-1] for line in out.strip().splitlines()]
    assert lines == [
        "pipe.yaml: a FIFO, not a regular file; skipped without opening it",
        "deep.yaml:1: nested deeper than 32 levels",
        "x.yaml:5: steps[0].prose.en: control character U+001B (ESC) is not allowed",
        "1 lessons, 0 questions, 3 errors",
    ]
    assert "\x1b" not in out + err and "Traceback" not in out + err
    assert snapshot(folder) == before


def test_validate_a_fifo_given_by_name_does_not_hang(tmp_path, capsys):
    os.mkfifo(tmp_path / "p.yaml")
    started = time.monotonic()
    assert main(["validate", str(tmp_path / "p.yaml")]) == 1
    assert time.monotonic() - started < 5
    out = capsys.readouterr().out.strip().splitlines()
    assert out == [f"{tmp_path}/p.yaml: a FIFO, not a regular file; skipped without opening it",
                   "0 lessons, 0 questions, 1 errors"]


def test_content_path_that_does_not_exist_fails_validate(tmp_path, capsys):
    folder = content_with_good(tmp_path)
    code = main(["validate", "--no-bundled", "--content", str(folder),
                 "--content", str(tmp_path / "nope")])
    captured = capsys.readouterr()
    assert code == 1
    assert f"{tmp_path}/nope: no such file or directory" in captured.out + captured.err
    assert captured.out.strip().splitlines()[-1] == "1 lessons, 0 questions, 1 errors"
    assert "Traceback" not in captured.out + captured.err


def test_a_checker_that_crashes_is_reported_not_raised(tmp_path):
    folder = content_with_good(tmp_path)
    (folder / "run.yaml").write_text(lesson("  - run: {experiment: boom, set: {n: 1}}"), "utf-8")

    def crashing(name, params):
        raise ZeroDivisionError("division by zero")

    lib = load_library([folder], check_run=crashing)
    assert errors_of(lib) == [
        "run.yaml:5: steps[0].run: cannot check 'boom': ZeroDivisionError: division by zero"]
    assert set(lib.lessons) == {"03-91-good", "03-92-hostile"}


def test_a_checker_message_echoing_a_huge_value_is_one_short_line(tmp_path):
    folder = content_with_good(tmp_path)
    (folder / "run.yaml").write_text(
        lesson(f'  - run: {{experiment: x, set: {{s: "{"y" * 5000}"}}}}'), "utf-8")
    lib = load_library([folder], check_run=lambda name, params: f"bad value {params['s']!r}\n")
    (message,) = errors_of(lib)
    assert message.startswith("run.yaml:5: steps[0].run: bad value 'yyy")
    assert message.endswith("…") and len(message) < 360 and "\n" not in message


def test_bare_equals_sign_is_yaml_value_key(tmp_path):
    text = LESSON.replace('en: "Title"', "en: =").format(steps='  - prose: {ko: "글", en: "t"}')
    assert only_error(tmp_path, "x.yaml", text) == 'x.yaml:3: title.en: a bare "=" must be quoted: "="'


def test_date_and_null_where_text_belongs(tmp_path):
    lib, errors = load_beside_good(tmp_path, "x.yaml", lesson("  - prose: {ko: 2024-01-01, en: ~}"))
    assert [e.split("content/", 1)[1] for e in errors] == [
        "x.yaml:5: steps[0].prose.ko: expected text, got date",
        "x.yaml:5: steps[0].prose.en: expected text, got NoneType"]


def test_tag_directive_cannot_smuggle_a_python_tag(tmp_path):
    text = ("%TAG !p! tag:yaml.org,2002:python/object/apply:\n---\n"
            + GOOD.replace("03-91-good", "03-92-hostile")
            + 'extra: !p!os.system ["touch pwned"]\n')
    assert only_error(tmp_path, "x.yaml", text) == \
        "x.yaml:8: extra: YAML tag !!python/object/apply:os.system is not allowed"
    assert not (Path.cwd() / "pwned").exists()


def test_merge_key_with_a_scalar(tmp_path):
    text = GOOD.replace("03-91-good", "03-92-hostile").replace("chapter: 3", "<<: 5\nchapter: 3")
    assert only_error(tmp_path, "x.yaml", text) == (
        "x.yaml:2: YAML syntax error: expected a mapping or list of mappings for merging, "
        "but found scalar (while constructing a mapping)")


def test_merge_keys_that_are_fine_still_load(tmp_path):
    text = ("id: 03-92-hostile\nchapter: 3\n"
            'title: &t {ko: "제목", en: "Title"}\n'
            "steps:\n  - prose: {<<: *t}\n")
    lib, errors = load_beside_good(tmp_path, "x.yaml", text)
    assert errors == []
    assert lib.lessons["03-92-hostile"].steps[0].prose.en == "Title"


def test_crlf_line_endings_are_fine(tmp_path):
    lib, errors = load_beside_good(tmp_path, "x.yaml",
                                   lesson('  - prose: {ko: "글", en: "text"}').replace("\n", "\r\n")
                                   .encode())
    assert errors == [] and "03-92-hostile" in lib.lessons


BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
HOSTILE_SAMPLES = ["alias-bomb", "bidi-override", "binary-tag", "complex-key", "control-escape",
                   "deep-latex", "deep-nesting", "huge-number", "non-string-key", "non-web-link",
                   "tag-with-space"]


@pytest.mark.parametrize("name", HOSTILE_SAMPLES)
def test_validate_each_hostile_sample(name, capsys):
    path = BAD / f"{name}.yaml"
    before = path.read_bytes()
    expected = [(n, line.split("# expect: ", 1)[1].strip())
                for n, line in enumerate(before.decode().splitlines(), start=1)
                if "# expect: " in line]
    assert main(["validate", str(path)]) == 1
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    assert len(lines) == 2 and lines[-1] == "0 lessons, 0 questions, 1 errors"
    ((number, message),) = expected
    where, _, said = lines[0].partition(f":{number}: ")
    assert where.endswith(f"bad/{name}.yaml") and message in said
    assert "Traceback" not in out + err and "\x1b" not in out + err
    assert path.read_bytes() == before


def test_escaped_lone_surrogate(tmp_path):
    text = lesson('  - prose: {ko: "글", en: "a\\ud800b"}')
    assert only_error(tmp_path, "x.yaml", text) == \
        "x.yaml:5: steps[0].prose.en: lone surrogate U+D800 (surrogate) is not allowed"


def test_file_name_that_is_not_utf8_prints_as_utf8(tmp_path):
    folder = content_with_good(tmp_path)
    with open(os.fsencode(folder) + b"/\xff.yaml", "wb") as handle:
        handle.write(b"- a list\n")
    lib = load_library([folder])
    (message,) = [str(e) for e in lib.errors]
    assert message.encode("utf-8")  # no lone surrogate left to make print() raise
    assert message.endswith("/\ufffd.yaml:1: expected a mapping at the top of the file "
                            "(a lesson, `questions:` or `chapters:`)")


def test_file_name_with_a_newline_stays_one_line(tmp_path):
    lib, errors = load_beside_good(tmp_path, "fake.yaml:1: all good\nx.yaml", "- a list\n")
    (message,) = errors
    assert message.endswith("content/fake.yaml:1: all good\\nx.yaml:1: expected a mapping at "
                            "the top of the file (a lesson, `questions:` or `chapters:`)")
    assert "\n" not in message


def test_message_echoing_a_long_formula_is_capped(tmp_path):
    name = "x" * 900  # the formula stays under the 2000-character limit
    text = lesson('  - derivation:\n'
                  '      title: {ko: "유도", en: "Derivation"}\n'
                  '      steps:\n'
                  f'        - math: "\\\\begin{{{name}}}a\\\\end{{{name}}}"\n'
                  '          why: {ko: "정의", en: "definition"}')
    message = only_error(tmp_path, "x.yaml", text)
    assert message.startswith("x.yaml:8: steps[0].derivation.steps[0].math: LaTeX environments "
                              "(\\begin{xxx")
    assert message.endswith("x…") and len(message) < 360
