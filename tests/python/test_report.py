"""prescreen.report: tables for managers and the offline HTML report with embedded charts."""

import base64
import re

import pytest

from conftest import BASE, TODAY, answers

pd = pytest.importorskip("pandas")
pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def frame(pack):
    from prescreen import io

    rows, meta = [], []
    plan = [
        ("north", "2026-10-05", answers()),
        ("north", "2026-10-06", answers(pregnant=True)),
        ("north", "2026-11-25", answers(drug_past=True, drug_last_dose="2026-08-31")),
        ("south", "2026-11-25", answers(cold_sores="history")),
        ("south", "2026-11-25", answers(cream=True, cream_last_use="2026-11-22")),
        ("south", "2026-11-26", answers(steel_allergy=True)),
        ("south", "2026-11-26", answers()),
        ("east", "2026-11-26", "{broken"),
    ]
    results = []
    for clinic, day, a in plan:
        results.extend(pack.screen_many([a], today=day))
        meta.append({"clinic": clinic})
    return io.results_frame(results, meta)


def test_outcome_counts(frame):
    from prescreen import report

    table = report.outcome_counts(frame)
    assert table.loc[("north", "2026-10"), "eligible"] == 1
    assert table.loc[("north", "2026-10"), "deferred"] == 1
    assert table.loc[("south", "2026-11"), "total"] == 4
    assert table.loc[("east", "(no date)"), "error"] == 1  # an error row has no screening date
    assert list(table.columns)[0] == "not_eligible"
    assert int(table["total"].sum()) == len(frame)
    whole = report.outcome_counts(frame, clinic=None)
    assert set(whole.index.get_level_values(0)) == {"(all)"}


def test_top_contraindications(frame):
    from prescreen import report

    table = report.top_contraindications(frame)
    assert set(table["rule"]) == {"pregnancy", "drug_washout", "cream_washout", "steel"}
    assert "sore_history" not in set(table["rule"])  # a precaution, not a contraindication
    assert (table["patients"] == 1).all()
    assert table["share"].iloc[0] == pytest.approx(1 / 7)


def test_deferral_lengths(frame):
    from prescreen import report

    table = report.deferral_lengths(frame).set_index("wait")["patients"]
    assert table["open-ended (until resolved)"] == 1      # pregnancy
    assert table["up to 2 weeks"] == 1                    # cream washout to 2026-11-27
    assert table["up to 6 months"] == 1                   # isotretinoin-like washout to 2027-02-28
    days = report.deferral_lengths(frame).attrs["days"]
    assert sorted(days.tolist()) == [2, 95]


def test_precaution_rates(frame):
    from prescreen import report

    table = report.precaution_rates(frame)
    assert table.loc["south", "treatable"] == 2
    assert table.loc["south", "with_precautions"] == 1
    assert table.loc["south", "rate"] == pytest.approx(0.5)
    assert table.loc["north", "rate"] == 0


def test_report_from_results_list(pack):
    from prescreen import report

    results = pack.screen_many([BASE, answers(pregnant=True)], today=TODAY)
    assert int(report.outcome_counts(results)["total"].sum()) == 2


def test_html_report_is_self_contained(frame, tmp_path):
    from prescreen import report

    path = tmp_path / "report.html"
    text = report.html_report(frame, path, title="North & South")
    assert path.read_text(encoding="utf-8") == text
    assert text.startswith("<!DOCTYPE html>") and "North &amp; South" in text
    # offline: no external resources, no scripts, no images to fetch
    assert not re.search(r'(src|href)="(https?:)?//', text) and "<script" not in text and "<img" not in text
    for section in ("branches", "months", "funnel", "calendar", "reasons", "quality"):
        assert f"id={section}>" in text
    assert "8 forms" in text and "1 rows could not be screened" in text
    assert "<h3>North</h3>" in text and "<h3>South</h3>" in text  # the funnel, per clinic
    with pytest.raises(ValueError, match="clinic: the results have no column 'branch'"):
        report.html_report(frame, clinic="branch")
