"""The HTML report a clinic manager reads: one self-contained page (no scripts, fonts, images or
requests), printable and readable on a tablet. Readable names come from the pack (rule titles,
question texts, option labels); every number is a count of what the engine returned."""

from __future__ import annotations

import datetime
import html
from typing import Any, Dict, List, Optional, Sequence, Tuple

from . import _core

OUTCOMES = list(_core.outcomes)
_TREATABLE = ("eligible", "eligible_with_precautions")
_COLOURS = {"not_eligible": "#b2182b", "deferred": "#d6604d", "incomplete": "#8c8c8c", "refer": "#f4a582",
            "eligible_with_precautions": "#4393c3", "eligible": "#2166ac", "error": "#404040"}
_OUTCOME_NAMES = {"not_eligible": "Not eligible", "deferred": "Deferred", "incomplete": "Incomplete answers",
                  "refer": "Referred to a clinician", "eligible_with_precautions": "Eligible with precautions",
                  "eligible": "Eligible", "error": "Could not be screened"}

_STYLE = """
body{font:16px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;padding:1.5rem;max-width:64rem;color:#1d1d1d}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:2px solid #ddd;padding-bottom:.2rem}
h3{font-size:1rem;margin:1rem 0 .3rem}.muted{color:#555}
.cards{display:flex;flex-wrap:wrap;gap:.6rem;margin:1rem 0}
.card{flex:1 1 9rem;border:1px solid #ccc;border-left:.5rem solid var(--c);border-radius:.3rem;padding:.5rem .7rem}
.card b{display:block;font-size:1.4rem}
table{border-collapse:collapse;width:100%;font-size:.92rem;margin:.3rem 0 1rem}.scroll{overflow-x:auto}
th,td{border-bottom:1px solid #e2e2e2;padding:.3rem .45rem;text-align:right;vertical-align:top}
th:first-child,td:first-child,.t{text-align:left}th{background:#f4f4f4}
.bar{display:flex;height:1.1rem;min-width:8rem;border-radius:.2rem;overflow:hidden;background:#eee}
.bar span{display:block;height:100%}
.fill{background:#2166ac;height:.9rem;border-radius:.2rem}
.legend span{display:inline-block;margin-right:.8rem;font-size:.85rem}
.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.25rem;vertical-align:-.1rem}
@media (max-width:40rem){body{padding:.8rem}th,td{padding:.25rem}}
@media print{body{max-width:none;font-size:11pt}h2{break-after:avoid}table,.cards{break-inside:avoid}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def _n(value: int) -> str:
    return f"{int(value):,}"


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def _e(text: Any) -> str:
    return html.escape(str(text))


def _readable(identifier: str) -> str:
    return str(identifier).replace("_", " ").strip().capitalize()


class Names:
    """Readable names from the pack (or from the ids, without one)."""

    def __init__(self, protocol: Any, clinic: Optional[str]):
        self.rules: Dict[str, str] = {r["id"]: r.get("title") or _readable(r["id"]) for r in protocol.rules} if protocol else {}
        self.items: Dict[str, str] = {}
        self.clinics: Dict[str, str] = {}
        for item in (protocol.items if protocol else []):
            self.items[item["id"]] = item.get("text") or _readable(item["id"])
            if clinic and item["id"] == clinic:
                self.clinics = {o["value"]: o.get("label") or _readable(o["value"]) for o in item.get("options", [])}

    def rule(self, rule_id: str) -> str:
        return self.rules.get(rule_id) or _readable(rule_id)

    def item(self, item_id: str) -> str:
        return self.items.get(item_id) or _readable(item_id)

    def clinic(self, value: Any) -> str:
        return self.clinics.get(value) or _readable(value)


def _stacked(counts: Dict[str, int], total: int) -> str:
    spans = "".join(f'<span style="width:{100 * counts.get(o, 0) / total:.2f}%;background:{_COLOURS[o]}" '
                    f'title="{_e(_OUTCOME_NAMES[o])}: {_n(counts.get(o, 0))}"></span>'
                    for o in OUTCOMES + ["error"] if counts.get(o)) if total else ""
    return f'<div class="bar">{spans}</div>'


def _outcome_table(frame, key, label: str, names_of) -> str:
    rows = []
    shown = OUTCOMES + (["error"] if (frame["outcome"] == "error").any() else [])
    head = "".join(f"<th>{_e(_OUTCOME_NAMES[o])}</th>" for o in shown)
    for value, group in frame.groupby(key, sort=True):
        counts = group["outcome"].value_counts().to_dict()
        total = len(group)
        cells = "".join(f"<td>{_n(counts.get(o, 0))}<br><span class=muted>{_pct(counts.get(o, 0), total)}</span></td>"
                        for o in shown)
        rows.append(f"<tr><td>{_e(names_of(value))}{_stacked(counts, total)}</td><td>{_n(total)}</td>{cells}</tr>")
    return f"<div class=scroll><table><tr><th>{_e(label)}</th><th>Forms</th>{head}</tr>{''.join(rows)}</table></div>"


def _funnel(frame, names: Names) -> str:
    steps = [("Forms received", lambda g: len(g)),
             ("Screened", lambda g: int((g["outcome"] != "error").sum())),
             ("Answers complete and valid", lambda g: int((~g["outcome"].isin(["error", "incomplete"])).sum())),
             ("No contraindication (may book)", lambda g: int(g["outcome"].isin(list(_TREATABLE)).sum()))]
    out = []
    for value, group in frame.groupby("_clinic", sort=True):
        received = len(group)
        rows = "".join(f"<tr><td>{_e(step)}</td><td>{_n(count(group))}</td><td>{_pct(count(group), received)}</td>"
                       f'<td style="width:45%"><div class="fill" style="width:{100 * count(group) / max(received, 1):.1f}%">'
                       f"</div></td></tr>" for step, count in steps)
        out.append(f"<h3>{_e(names.clinic(value))}</h3><table><tr><th>Step</th><th>Patients</th><th>Of received</th>"
                   f"<th></th></tr>{rows}</table>")
    return "".join(out)


def _calendar(frame, weeks: int = 12) -> Tuple[str, int]:
    import pandas as pd

    deferred = frame[frame["outcome"] == "deferred"]
    dated = deferred["defer_until"].dropna()
    open_ended = int(deferred["defer_until"].isna().sum())
    if not len(deferred):
        return "<p>No deferred patients.</p>", 0
    start = frame["today"].max() if frame["today"].notna().any() else dated.min()
    monday = (start - pd.Timedelta(days=start.weekday())).normalize()
    rows, later, earliest = [], 0, 0
    week_of = ((dated - monday).dt.days // 7)
    counts = week_of.value_counts().to_dict()
    earliest = int(sum(v for k, v in counts.items() if k < 0))
    top = max([counts.get(w, 0) for w in range(weeks)] + [1])
    for w in range(weeks):
        begins = monday + pd.Timedelta(weeks=w)
        count = int(counts.get(w, 0))
        rows.append(f"<tr><td>Week of {begins.strftime('%-d %b %Y')}</td><td>{_n(count)}</td>"
                    f'<td style="width:50%"><div class="fill" style="width:{100 * count / top:.1f}%;background:#d6604d">'
                    f"</div></td></tr>")
    later = int(sum(v for k, v in counts.items() if k >= weeks))
    extra = ""
    if earliest:
        extra += f"<tr><td>Already free to return</td><td>{_n(earliest)}</td><td></td></tr>"
    extra += f"<tr><td>Later than {weeks} weeks</td><td>{_n(later)}</td><td></td></tr>"
    extra += f"<tr><td>No date yet (fill in the form again when resolved)</td><td>{_n(open_ended)}</td><td></td></tr>"
    return (f"<table><tr><th>Week</th><th>Patients who may return</th><th></th></tr>{''.join(rows)}{extra}</table>",
            len(deferred))


def _reasons(frame, names: Names, top: int = 5) -> str:
    out = []
    for outcome in ("not_eligible", "deferred", "refer", "eligible_with_precautions"):
        group = frame[frame["outcome"] == outcome]
        if not len(group):
            continue
        tally: Dict[str, int] = {}
        for ids, kinds in zip(group["findings"], group["finding_outcomes"]):
            for rule, kind in zip(ids or [], kinds or []):
                if kind == outcome:
                    tally[rule] = tally.get(rule, 0) + 1
        ranked = sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        rows = "".join(f"<tr><td>{_e(names.rule(rule))}</td><td>{_n(count)}</td><td>{_pct(count, len(group))}</td></tr>"
                       for rule, count in ranked)
        out.append(f"<h3>{_e(_OUTCOME_NAMES[outcome])} ({_n(len(group))})</h3>"
                   f"<table><tr><th>Reason</th><th>Patients</th><th>Of this outcome</th></tr>{rows}</table>")
    return "".join(out) or "<p>No findings.</p>"


_CODE_NAMES = {"wrong_type": "not the kind of answer asked for", "not_an_option": "not one of the options",
               "impossible_date": "a date that does not exist", "future_date": "a date in the future",
               "before_min_date": "a date too long ago", "out_of_bounds": "a number out of range",
               "too_long": "text too long", "duplicate_option": "an option chosen twice",
               "unknown_item": "an answer to a question the form does not have"}


def _quality(frame, names: Names, inputs: Any) -> Tuple[str, int, int]:
    tally: Dict[Tuple[str, str], List[Any]] = {}
    rows_with_issues = 0
    for index, issues in zip(frame.index, frame["issues"]):
        if not issues:
            continue
        rows_with_issues += 1
        for label in issues:
            item, _, code = str(label).partition(":")
            tally.setdefault((item, code), []).append(index)
    lines = []
    for (item, code), where in sorted(tally.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        example = ""
        if inputs is not None and item in getattr(inputs, "columns", ()):
            value = inputs.at[where[0], item] if where[0] in inputs.index else None
            example = "" if value is None else repr(value) if not isinstance(value, str) else f"“{value}”"
        lines.append(f"<tr><td>{_e(names.item(item))}</td>"
                     f"<td class=t>{_e(_CODE_NAMES.get(code, code))}<br><span class=muted>{_e(code)}</span></td>"
                     f"<td>{_n(len(where))}</td><td class=t>{_e(example)}</td></tr>")
    impossible = sum(len(w) for (item, code), w in tally.items() if code == "impossible_date")
    errors = frame[frame["outcome"] == "error"]
    error_rows = "".join(f"<tr><td>{_e(code)}</td><td>{_n(count)}</td></tr>"
                         for code, count in errors["error_code"].fillna("unknown").value_counts().items())
    text = (f"<p>{_n(rows_with_issues)} forms ({_pct(rows_with_issues, len(frame))}) had answers that could not be "
            f"used; they are counted as <b>incomplete</b>, never as deferrals. "
            f"{_n(impossible)} impossible dates (such as 30 February) are among them. "
            f"{_n(len(errors))} rows could not be screened at all.</p>")
    if lines:
        text += ("<table><tr><th>Question</th><th class=t>Problem</th><th>Forms</th><th class=t>Example</th></tr>"
                 + "".join(lines) + "</table>")
    if error_rows:
        text += f"<h3>Rows that could not be screened</h3><table><tr><th>Error</th><th>Rows</th></tr>{error_rows}</table>"
    return text, rows_with_issues, len(errors)


def page(frame, *, title: str, clinic: Optional[str], date: str, protocol: Any = None, inputs: Any = None) -> str:
    """The report for a result table (`frame`, with `outcome` 'error' for rows not screened)."""
    import pandas as pd

    names = Names(protocol, clinic)
    frame = frame.assign(_clinic=frame[clinic].fillna("(not given)").astype(str) if clinic else "All clinics")
    when = pd.to_datetime(frame[date], errors="coerce") if date in frame.columns else pd.Series(pd.NaT, index=frame.index)
    frame = frame.assign(_month=when.dt.strftime("%Y-%m").fillna("(no date)"))

    def month_name(key: str) -> str:
        return key if key.startswith("(") else f"{datetime.date(int(key[:4]), int(key[5:]), 1):%B %Y}"

    total = len(frame)
    counts = frame["outcome"].value_counts().to_dict()
    cards = "".join(f'<div class="card" style="--c:{_COLOURS[o]}"><b>{_n(counts.get(o, 0))}</b>{_e(_OUTCOME_NAMES[o])}'
                    f'<br><span class=muted>{_pct(counts.get(o, 0), total)}</span></div>'
                    for o in OUTCOMES + ["error"] if counts.get(o) or o != "error")
    legend = "".join(f'<span><i style="background:{_COLOURS[o]}"></i>{_e(_OUTCOME_NAMES[o])}</span>' for o in OUTCOMES)
    calendar, deferred = _calendar(frame)
    quality, _, _ = _quality(frame, names, inputs)
    packs = sorted({f"{a} {b}" for a, b in zip(frame.get("protocol_id", []), frame.get("protocol_version", []))
                    if isinstance(a, str)})
    span = when.dropna()
    period = f"{span.min():%-d %b %Y} to {span.max():%-d %b %Y}" if len(span) else "no dates"
    month_label = "Submission month" if date == "submitted_on" else f"Month ({date})"
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f"<p class=muted>{_n(total)} forms, {period} · protocol {_e(', '.join(packs) or 'unknown')} · "
        f"written {datetime.date.today():%-d %b %Y}</p>",
        f'<div class="cards">{cards}</div><p class="legend">{legend}</p>',
        "<h2 id=branches>By clinic</h2>", _outcome_table(frame, "_clinic", "Clinic", names.clinic),
        f"<h2 id=months>By {month_label.lower()}</h2>", _outcome_table(frame, "_month", month_label, month_name),
        "<h2 id=funnel>From form to booking, by clinic</h2>", _funnel(frame, names),
        f"<h2 id=calendar>Come-back calendar</h2><p>{_n(deferred)} deferred patients: when each may return "
        "(the date the engine gave, by week).</p>", calendar,
        "<h2 id=reasons>Top reasons</h2>", _reasons(frame, names),
        "<h2 id=quality>Data quality</h2>", quality,
        "</body></html>",
    ]
    return "\n".join(parts)
