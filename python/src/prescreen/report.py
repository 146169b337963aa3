"""Reports for clinic managers: pandas tables and a self-contained offline HTML report.

Every function takes the flat result table (:func:`prescreen.io.results_frame` /
:func:`prescreen.io.read_results`) or, for convenience, a list of results. Nothing here decides an
outcome: the numbers are counts of what the engine returned.

* :func:`outcome_counts` — outcomes by clinic and month.
* :func:`top_contraindications` — the most frequent findings.
* :func:`deferral_lengths` — how long deferred patients must wait.
* :func:`precaution_rates` — share of treatable patients who need precautions, by clinic.
* :func:`html_report` — all of the above with charts (matplotlib, PNG embedded as base64).
"""

from __future__ import annotations

import base64
import html
import io as _io
from typing import Any, Optional

from . import _core

__all__ = ["outcome_counts", "top_contraindications", "deferral_lengths", "precaution_rates", "html_report",
           "OUTCOMES"]

#: Outcomes from strictest to least strict; ``error`` is a row that could not be screened.
OUTCOMES = list(_core.outcomes) + ["error"]
_CONTRA = ("not_eligible", "deferred", "refer")
_ALL = "(all)"


def _frame(data: Any):
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        frame = data.copy()
    else:
        from .io import results_frame

        frame = results_frame(data)
    if "outcome" not in frame.columns:
        raise ValueError("data: not a prescreen result table (no 'outcome' column)")
    frame["outcome"] = frame["outcome"].where(frame["outcome"].notna(), "error")
    for column in ("today", "defer_until"):
        if column in frame.columns:
            frame[column] = pd.to_datetime(frame[column], errors="coerce")
    return frame


def _clinic(frame, clinic: Optional[str]):
    if clinic and clinic in frame.columns:
        return frame[clinic].fillna("(unknown)").astype(str)
    return frame["outcome"].map(lambda _: _ALL)


def outcome_counts(data: Any, *, clinic: Optional[str] = "clinic", date: str = "today"):
    """Rows = (clinic, month), columns = outcomes (strictest first), values = number of patients.

    ``clinic``: the metadata/answer column naming the clinic (all rows together when absent);
    ``date``: the date column to group by month (default the screening date)."""
    import pandas as pd

    frame = _frame(data)
    month = pd.to_datetime(frame[date], errors="coerce").dt.strftime("%Y-%m").fillna("(no date)") \
        if date in frame.columns else frame["outcome"].map(lambda _: "(no date)")
    table = pd.crosstab([_clinic(frame, clinic).rename("clinic"), month.rename("month")], frame["outcome"])
    columns = [o for o in OUTCOMES if o in table.columns] + [c for c in table.columns if c not in OUTCOMES]
    table = table.reindex(columns=columns, fill_value=0)
    table.columns.name = "outcome"
    table["total"] = table.sum(axis=1)
    return table


def _exploded_findings(frame):
    import pandas as pd

    if "findings" not in frame.columns:
        return pd.DataFrame(columns=["rule", "outcome", "row"])
    rows = []
    outcomes = frame["finding_outcomes"] if "finding_outcomes" in frame.columns else None
    for index, ids in frame["findings"].items():
        if not isinstance(ids, (list, tuple)) and not hasattr(ids, "__len__"):
            continue
        per = list(outcomes[index]) if outcomes is not None and hasattr(outcomes[index], "__len__") else []
        for k, rule in enumerate(list(ids)):
            rows.append({"row": index, "rule": rule, "outcome": per[k] if k < len(per) else None})
    return pd.DataFrame(rows, columns=["row", "rule", "outcome"])


def top_contraindications(data: Any, n: int = 10, *, outcomes=_CONTRA):
    """The ``n`` most frequent findings whose outcome is in ``outcomes`` (contraindications: not
    eligible, deferred, refer): columns rule, outcome, patients, share (of all screened rows)."""
    import pandas as pd

    frame = _frame(data)
    found = _exploded_findings(frame)
    if "finding_outcomes" in frame.columns:
        found = found[found["outcome"].isin(list(outcomes))]
    screened = max(int((frame["outcome"] != "error").sum()), 1)
    if found.empty:
        return pd.DataFrame(columns=["rule", "outcome", "patients", "share"])
    table = (found.groupby(["rule", "outcome"], dropna=False)["row"].nunique().rename("patients").reset_index()
             .sort_values(["patients", "rule"], ascending=[False, True]).head(n).reset_index(drop=True))
    table["share"] = table["patients"] / screened
    return table


_BUCKETS = [(14, "up to 2 weeks"), (31, "up to 1 month"), (92, "up to 3 months"), (183, "up to 6 months"),
            (366, "up to 12 months"), (None, "over 12 months")]


def deferral_lengths(data: Any):
    """Deferred patients by waiting time (``defer_until - today``): bucket, patients, and the
    open-ended ones (``defer_until`` null: re-screen when resolved). The exact waits in days are in
    ``result.attrs["days"]`` (a Series)."""
    import pandas as pd

    frame = _frame(data)
    deferred = frame[frame["outcome"] == "deferred"]
    days = (deferred["defer_until"] - deferred["today"]).dt.days if len(deferred) else pd.Series(dtype="float64")
    labels = []
    for value in days:
        if pd.isna(value):
            labels.append("open-ended (until resolved)")
            continue
        for limit, label in _BUCKETS:
            if limit is None or value <= limit:
                labels.append(label)
                break
    order = [label for _, label in _BUCKETS] + ["open-ended (until resolved)"]
    counts = pd.Series(labels, dtype="object").value_counts().reindex(order, fill_value=0)
    table = counts.rename("patients").rename_axis("wait").reset_index()
    table.attrs["days"] = days.dropna().astype(int).reset_index(drop=True)
    return table


def precaution_rates(data: Any, *, clinic: Optional[str] = "clinic"):
    """By clinic: treatable patients (eligible or eligible_with_precautions), how many need
    precautions, and the rate."""
    import pandas as pd

    frame = _frame(data)
    frame = frame.assign(_clinic=_clinic(frame, clinic))
    treatable = frame[frame["outcome"].isin(["eligible", "eligible_with_precautions"])]
    grouped = treatable.groupby("_clinic")["outcome"]
    table = pd.DataFrame({
        "treatable": grouped.size(),
        "with_precautions": grouped.apply(lambda s: int((s == "eligible_with_precautions").sum())),
    })
    table.index.name = "clinic"
    if table.empty:
        return pd.DataFrame(columns=["treatable", "with_precautions", "rate"]).rename_axis("clinic")
    table["rate"] = table["with_precautions"] / table["treatable"]
    return table


# --- HTML -------------------------------------------------------------------------------------------

_COLOURS = {"not_eligible": "#b2182b", "deferred": "#ef8a62", "incomplete": "#bababa", "refer": "#fddbc7",
            "eligible_with_precautions": "#67a9cf", "eligible": "#2166ac", "error": "#4d4d4d"}


def _png(fig) -> str:
    buffer = _io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _charts(frame, clinic: Optional[str]):
    import matplotlib

    matplotlib.use("Agg", force=True)  # no display, no GUI toolkit: works on servers and in CI
    import matplotlib.pyplot as plt

    charts = []
    counts = outcome_counts(frame, clinic=None)
    by_month = counts.droplevel(0).drop(columns="total")
    fig, ax = plt.subplots(figsize=(8, 3.6))
    bottom = None
    for outcome in by_month.columns:
        values = by_month[outcome].values
        ax.bar(by_month.index.astype(str), values, bottom=bottom, label=outcome.replace("_", " "),
               color=_COLOURS.get(outcome, "#888888"))
        bottom = values if bottom is None else bottom + values
    ax.set_ylabel("patients")
    ax.set_title("Outcomes by month")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1, 1))
    charts.append(("outcomes", "Outcomes by month (all clinics)", _png(fig)))

    top = top_contraindications(frame, 10)
    fig, ax = plt.subplots(figsize=(8, 3.6))
    if len(top):
        ax.barh(top["rule"][::-1], top["patients"][::-1], color=[_COLOURS.get(o, "#888") for o in top["outcome"][::-1]])
    ax.set_xlabel("patients")
    ax.set_title("Most frequent contraindications")
    charts.append(("contraindications", "Most frequent contraindications", _png(fig)))

    lengths = deferral_lengths(frame)
    fig, ax = plt.subplots(figsize=(8, 3.2))
    ax.bar(lengths["wait"], lengths["patients"], color="#ef8a62")
    ax.set_ylabel("patients")
    ax.set_title("Deferral lengths")
    ax.tick_params(axis="x", labelrotation=20, labelsize=7)
    charts.append(("deferrals", "Deferral lengths", _png(fig)))

    rates = precaution_rates(frame, clinic=clinic)
    fig, ax = plt.subplots(figsize=(8, 3.2))
    if len(rates):
        ax.bar(rates.index.astype(str), rates["rate"] * 100, color="#67a9cf")
    ax.set_ylabel("% of treatable patients")
    ax.set_title("Precaution rate by clinic")
    charts.append(("precautions", "Precaution rate by clinic", _png(fig)))
    return charts


def html_report(data: Any, path: Any = None, *, title: str = "Pre-screening report",
                clinic: Optional[str] = "clinic") -> str:
    """A self-contained HTML report (no external files or requests: charts are base64 PNG), written
    to ``path`` when given. Returns the HTML text."""
    frame = _frame(data)
    charts = _charts(frame, clinic)
    tables = [
        ("Outcomes by clinic and month", outcome_counts(frame, clinic=clinic).to_html(classes="t")),
        ("Most frequent contraindications",
         top_contraindications(frame, 15).to_html(index=False, classes="t", formatters={"share": "{:.1%}".format})),
        ("Deferral lengths", deferral_lengths(frame).to_html(index=False, classes="t")),
        ("Precaution rates", precaution_rates(frame, clinic=clinic).to_html(classes="t", formatters={"rate": "{:.1%}".format})),
    ]
    screened = int((frame["outcome"] != "error").sum())
    errors = int((frame["outcome"] == "error").sum())
    protocols = sorted({f"{a} {b}" for a, b in zip(frame.get("protocol_id", []), frame.get("protocol_version", []))
                        if isinstance(a, str)})
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem;color:#222}"
        "table.t{border-collapse:collapse;font-size:.85rem;margin:.5rem 0 1.5rem}"
        "table.t td,table.t th{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}"
        "figure{margin:1rem 0}img{max-width:100%;height:auto}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{screened} patients screened; {errors} rows could not be screened. "
        f"Protocol: {html.escape(', '.join(protocols) or 'unknown')}.</p>",
    ]
    for key, caption, png in charts:
        parts.append(f'<figure id="chart-{key}"><img alt="{html.escape(caption)}" '
                     f'src="data:image/png;base64,{png}"><figcaption>{html.escape(caption)}</figcaption></figure>')
    for caption, table in tables:
        parts.append(f"<h2>{html.escape(caption)}</h2>{table}")
    parts.append("</body></html>")
    text = "\n".join(parts)
    if path is not None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return text
