"""The manager's report on a realistic export: readable names from the pack, thousands
separators and percentages, submission months, the come-back calendar, data quality with
example values; rendered by real Chromium at tablet width (screenshot checked by size here,
and looked at by a person when the page changes)."""

import re
import subprocess
import sys

import pandas as pd
import pytest

import synthetic
from conftest import SMALL_PACK


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    import prescreen
    from prescreen import report

    folder = tmp_path_factory.mktemp("report")
    synthetic.write(folder / "export.csv", 3000, seed=5)
    pack = prescreen.Protocol.from_file(SMALL_PACK)
    inputs = pd.read_csv(folder / "export.csv")
    results = pack.screen_frame(inputs, today="submitted_on", keep=synthetic.META)
    results.to_parquet(folder / "results.parquet")
    path = folder / "report.html"
    text = report.html_report(results, path, protocol=pack, clinic="clinic_branch", inputs=inputs, title="Autumn")
    return folder, path, text, results, pack


def visible(text):
    return re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>|title=\"[^\"]*\"", " ", text, flags=re.S))


def test_numbers_names_and_sections(page):
    folder, path, text, results, pack = page
    words = visible(text)
    assert "3,000 forms" in words
    deferred = int((results["outcome"] == "deferred").sum())
    assert f"{deferred:,} deferred patients" in words
    assert f"{100 * deferred / 3000:.1f}%" in words
    assert "Kensington church street" in words and "kensington_church_street" not in words
    for rule in pack.rules:  # readable names only, never rule ids
        assert "_" not in rule["id"] or rule["id"] not in words
    assert "Last dose" in words and "drug_last_dose" not in words
    for month in ("September 2026", "October 2026", "November 2026"):
        assert month in words
    bad = int(results["issues"].map(bool).sum())
    assert f"{bad:,} forms" in words and "impossible dates" in words
    assert "“face;elbow”" in words or "“1990-02-30”" in words  # example values from the input
    impossible = sum(1 for issues in results["issues"] for i in issues if i.endswith(":impossible_date"))
    assert impossible > 0 and f"{impossible:,} impossible dates" in words


def test_command_line_report(page):
    folder, path, text, results, pack = page
    out = folder / "cli.html"
    run = subprocess.run([sys.executable, "-m", "prescreen", "report", str(folder / "results.parquet"), "-o", str(out),
                          "-p", str(SMALL_PACK), "--clinic-column", "clinic_branch"], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert "Kensington church street" in out.read_text()
    bad = subprocess.run([sys.executable, "-m", "prescreen", "report", str(folder / "results.parquet"), "-o", str(out),
                          "--clinic-column", "branch"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "clinic: the results have no column 'branch'" in bad.stderr


@pytest.mark.parametrize("width", [820, 1280])
def test_chromium_renders_it(page, tmp_path, width):
    from PIL import Image

    _, path, _, _, _ = page
    shot = tmp_path / f"report-{width}.png"
    run = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update", "--disable-sync",
                          f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars", f"--window-size={width},3000",
                          f"--screenshot={shot}", path.as_uri()], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and shot.exists(), run.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    assert image.size == (width, 3000)
    # the page drew its coloured bars (outcome colours present), not a blank or error page
    colours = {image.getpixel((x, y)) for x in range(0, width, 7) for y in range(0, 3000, 7)}
    assert (0x21, 0x66, 0xAC) in colours and (0xD6, 0x60, 0x4D) in colours
