"""Loud misuse: what an analyst gets wrong is said at once, naming the argument."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from conftest import BASE, SMALL_PACK, TODAY


def test_screen_given_a_path_or_json_text(pack, tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(BASE))
    for wrong in ("answers.json", json.dumps(BASE), json.dumps(BASE).encode(), path):
        with pytest.raises(TypeError, match=r"answers: expected a mapping of question id to answer, got .*read it first"):
            pack.screen(wrong, today=TODAY)
    with pytest.raises(TypeError, match="answers: expected a mapping"):
        pack.form("answers.json", today=TODAY)


def test_protocol_constructor_points_to_from_file(prescreen):
    with pytest.raises(TypeError, match=r"load a pack with Protocol.from_file\(path\) or Protocol.from_json\(text\)"):
        prescreen.Protocol("protocols/microneedling/protocol.json")


def test_repr_shows_outcome_and_date(pack):
    r = pack.screen(dict(BASE, drug_past=True, drug_last_dose="2026-08-25"), today=TODAY)
    assert repr(r) == "ScreeningResult(outcome='deferred', defer_until=2027-02-25, findings=['drug_washout'], today=2026-11-25)"
    error = pack.screen_many(["{"], today=TODAY)[0]
    assert repr(error).startswith("RowError(code='malformed_json', path='', message='line 1")


def test_cli_keep_and_columns(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("pregnat,sex\nyes,female\n")

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "prescreen", "screen", str(src), "-p", str(SMALL_PACK), *args],
                              capture_output=True, text=True, timeout=120)

    run = cli("--today", TODAY, "--keep", "clinc")
    assert run.returncode == 2 and "keep:" in run.stderr and "no column 'clinc'" in run.stderr
    run = cli("--today", TODAY)
    assert run.returncode == 0 and "'pregnat' (did you mean 'pregnant'?)" in run.stderr
    run = cli("--today", TODAY, "--unknown-columns", "error")
    assert run.returncode == 2 and "did you mean 'pregnant'" in run.stderr
    run = cli()
    assert "no --today given: screening as of" in run.stderr


def test_unknown_locale_is_refused_not_answered_in_english(pack):
    # A language the pack has (exactly or by its language alone) is used; any other is an error
    # naming the pack's languages, never a silent fall back on the default.
    assert pack.screen(BASE, today=TODAY, locale="fr").outcome == "eligible"
    assert pack.screen(BASE, today=TODAY, locale="en-US").outcome == "eligible"
    for call in (lambda: pack.screen(BASE, today=TODAY, locale="cy-GB"),
                 lambda: pack.screen_many([BASE], today=TODAY, locale="cy-GB"),
                 lambda: pack.form(BASE, today=TODAY, locale="cy-GB"),
                 lambda: pack.screen_frame(pd.DataFrame([BASE]), today=TODAY, locale="cy-GB")):
        with pytest.raises(ValueError, match=r"^locale: small-clinic has no texts in 'cy-GB' \(it has en-GB, fr-FR\); "
                                             r"leave locale out for its default$"):
            call()
