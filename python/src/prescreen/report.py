"""Reports for clinic managers: pandas tables and a self-contained offline HTML report.

Every function takes the flat result table (:func:`prescreen.io.results_frame` /
:func:`prescreen.io.read_results`) or, for convenience, a list of results. Nothing here decides an
outcome: the numbers are counts of what the engine returned.

* :func:`outcome_counts` — outcomes by clinic and month.
* :func:`top_contraindications` — the most frequent findings.
* :func:`deferral_lengths` — how long deferred patients must wait.
* :func:`precaution_rates` — share of treatable patients who need precautions, by clinic.
* :func:`html_report` — the page a manager reads: by clinic and submission month, funnel, come-back
  calendar, top reasons, data quality (one self-contained HTML file, _report_page.py).
"""

from __future__ import annotations

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
    outcome = frame["outcome"].astype(object)  # screen_frame's categorical has no "error"
    frame["outcome"] = outcome.where(outcome.notna(), "error")
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

_DEFAULT_CLINIC = "clinic"


def html_report(data: Any, path: Any = None, *, title: str = "Pre-screening report", clinic: Optional[str] = None,
                protocol: Any = None, date: Optional[str] = None, inputs: Any = None) -> str:
    """The report a clinic manager reads, as one self-contained HTML page (no scripts, fonts or
    requests; printable; readable on a tablet), written to ``path`` when given. Returns the HTML.

    ``protocol`` gives readable names (rule titles, question texts, clinic labels); ``clinic`` the
    column naming the clinic (default ``clinic`` when present); ``date`` the column grouped by
    month (default ``submitted_on`` when present, else the screening date); ``inputs`` the
    answers screened (same index), for example values in the data-quality section.
    """
    from ._report_page import page

    frame = _frame(data)
    if clinic is None:
        clinic = _DEFAULT_CLINIC if _DEFAULT_CLINIC in frame.columns else None
    elif clinic not in frame.columns:
        raise ValueError(f"clinic: the results have no column {clinic!r} (columns: {', '.join(map(str, frame.columns))})")
    if date is None:
        date = "submitted_on" if "submitted_on" in frame.columns else "today"
    elif date not in frame.columns:
        raise ValueError(f"date: the results have no column {date!r}")
    text = page(frame, title=title, clinic=clinic, date=date, protocol=protocol, inputs=inputs)
    if path is not None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return text
