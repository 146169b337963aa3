#!/usr/bin/env python3
"""Write protocols/microneedling/README.md: a clinician-facing summary generated from the pack.

Usage: python3 protocols/microneedling/generate_readme.py [--check]
Python standard library only. `--check` exits 1 when README.md is not what the pack generates.
The output depends only on protocol.json (no dates, no environment), so it is reproducible.
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACK = HERE / "protocol.json"
# The version before this one, kept so the summary can list what changed (and drafts saved under it can
# be compared). None of the engine's tests load it.
PREVIOUS = HERE / "previous" / "protocol-1.0.0.json"
README = HERE / "README.md"

OUTCOME_LABEL = {
    "not_eligible": "Not eligible",
    "deferred": "Deferred",
    "refer": "Refer to practitioner",
    "eligible_with_precautions": "Eligible with precautions",
}
OUTCOME_ORDER = ["not_eligible", "deferred", "refer", "eligible_with_precautions"]


def text(value, locale):
    """A pack text: a plain string or a per-locale object."""
    if isinstance(value, dict):
        return value.get(locale) or next(iter(value.values()), "")
    return value or ""


def cell(value):
    """Make a string safe for one Markdown table cell."""
    return str(value).replace("|", "\\|").replace("\n", " ")


def condition(logic):
    """A compact, readable rendering of a JsonLogic condition for the clinician table."""
    if not isinstance(logic, dict) or len(logic) != 1:
        return json.dumps(logic, ensure_ascii=False)
    (op, args), = logic.items()
    if op == "var":
        return f"`{args}`"
    if op == "param":
        return f"`{args}`"
    if not isinstance(args, list):
        args = [args]
    parts = [condition(a) for a in args]
    if op in ("==", "!=", "<", "<=", ">", ">=") and len(parts) == 2:
        sym = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}[op]
        return f"{parts[0]} {sym} {parts[1]}"
    if op == "and":
        return " and ".join(f"({p})" if " or " in p else p for p in parts)
    if op == "or":
        return " or ".join(parts)
    if op == "!":
        return f"not ({parts[0]})"
    if op == "in" and len(parts) == 2:
        return f"{parts[0]} in {parts[1]}"
    if op == "age":
        return f"age({', '.join(parts)})"
    if op == "fired":
        return f"rule `{args[0]}` fired"
    if op == "outcome":
        return "the outcome"
    return json.dumps(logic, ensure_ascii=False)


def amount(n, unit):
    """'6 months', '1 day'."""
    if not unit:
        return str(n)
    return f"{n} {unit[:-1] if n == 1 and unit.endswith('s') else unit}"


def source_links(ids):
    return ", ".join(f"[{s}](#source-{s.lower()})" for s in ids)


def override_text(policy):
    """The practitioner-override policy of a rule, in words."""
    if not policy:
        return ""
    if not policy.get("allowed"):
        return "acknowledged by the practitioner" if policy.get("acknowledge") else "never (re-screen when resolved)"
    words = "registered healthcare professional (" + ", ".join(policy.get("by", [])) + ")"
    if policy.get("prescriber"):
        words += ", a prescriber"
    words += " may set " + ", ".join(policy.get("to", []))
    if policy.get("not_before") == "parameter_min":
        words += "; never before event + the parameter's minimum"
    if policy.get("consulted"):
        words += "; records who was consulted"
    return words


def _wait(rule, params):
    if "defer" not in rule:
        return "until resolved" if rule["outcome"] == "deferred" else ""
    p = params.get(rule["defer"]["wait"], {})
    return f"`{rule['defer']['wait']}` ({amount(p.get('default'), p.get('unit'))})"


def changes(old, new, loc):
    """What changed from the previous version: rules, parameters, questions, aftercare, consent."""
    out = []
    w = out.append
    w(f"## Changes from version {old['version']}" + (f" (`{old['policy']}`)" if old.get("policy") else ""))
    w("")
    old_rules = {r["id"]: r for r in old["rules"]}
    new_rules = {r["id"]: r for r in new["rules"]}
    replaced = {rid for r in new["rules"] for rid in r.get("$replaces", [])}
    w("### Rules")
    w("")
    w("| rule | change |")
    w("|---|---|")
    for rid, r in new_rules.items():
        if rid not in old_rules:
            what = f"new: {OUTCOME_LABEL[r['outcome']]}"
            if r.get("$replaces"):
                what += " (replaces " + ", ".join(f"`{x}`" for x in r["$replaces"]) + ")"
            wait = _wait(r, new["parameters"])
            w(f"| `{rid}` | {cell(what + (', ' + wait if wait else ''))} |")
            continue
        o = old_rules[rid]
        diffs = []
        if o["outcome"] != r["outcome"]:
            diffs.append(f"outcome {OUTCOME_LABEL[o['outcome']]} → {OUTCOME_LABEL[r['outcome']]}")
        if o["when"] != r["when"]:
            diffs.append(f"fires when {condition(r['when'])} (was {condition(o['when'])})")
        if _wait(o, old["parameters"]) != _wait(r, new["parameters"]):
            diffs.append(f"wait {_wait(r, new['parameters'])} (was {_wait(o, old['parameters']) or 'no date'})")
        if text(o["message"], loc) != text(r["message"], loc):
            diffs.append("patient message rewritten")
        if diffs:
            w(f"| `{rid}` | {cell('; '.join(diffs))} |")
    for rid in old_rules:
        if rid not in new_rules:
            by = [r["id"] for r in new["rules"] if rid in r.get("$replaces", [])]
            w(f"| `{rid}` | removed" + (": replaced by " + ", ".join(f"`{x}`" for x in by) if by else "") + " |")
    assert all(x in old_rules for x in replaced)
    w("")
    w("### Parameters")
    w("")
    w("| parameter | change |")
    w("|---|---|")
    op, np_ = old.get("parameters", {}), new.get("parameters", {})
    for name, p in np_.items():
        rng = f"{p.get('min', '')}–{p.get('max', '')}"
        if name not in op:
            w(f"| `{name}` | new: default {amount(p['default'], p.get('unit'))}, range {rng} |")
            continue
        q = op[name]
        diffs = []
        if (q.get("type"), q.get("unit")) != (p.get("type"), p.get("unit")):
            diffs.append(f"a {p.get('type')}{' in ' + p['unit'] if p.get('unit') else ''} (was {q.get('type')})")
        if q["default"] != p["default"]:
            diffs.append(f"default {amount(p['default'], p.get('unit'))} (was {amount(q['default'], q.get('unit'))})")
        if (q.get("min"), q.get("max")) != (p.get("min"), p.get("max")):
            diffs.append(f"range {rng} (was {q.get('min', '')}–{q.get('max', '')})")
        if diffs:
            w(f"| `{name}` | {'; '.join(diffs)} |")
    w("")
    oi = {i["id"]: i for i in old["items"]}
    added = [i["id"] for i in new["items"] if i["id"] not in oi]
    reworded = [i["id"] for i in new["items"] if i["id"] in oi and text(i["text"], loc) != text(oi[i["id"]]["text"], loc)]
    w("### Questions")
    w("")
    w(f"New ({len(added)}): " + ", ".join(f"`{x}`" for x in added) + ".")
    w("")
    if reworded:
        w("Reworded (same id and answers): " + ", ".join(f"`{x}`" for x in reworded) + ".")
        w("")
    oa = {a["id"] for a in old.get("aftercare", [])}
    na = [a["id"] for a in new.get("aftercare", [])]
    w("### Aftercare and consent")
    w("")
    w("New aftercare instructions: " + ", ".join(f"`{x}`" for x in na if x not in oa) + ".")
    w("")
    ok = {a["id"] for a in old.get("consent", {}).get("acknowledgements", [])}
    nk = [a["id"] for a in new.get("consent", {}).get("acknowledgements", [])]
    w(f"Consent `{old['consent']['version']}` → `{new['consent']['version']}`; new acknowledgements: "
      + ", ".join(f"`{x}`" for x in nk if x not in ok) + ".")
    w("")
    return out


def generate(pack):
    loc = pack["locales"][0]
    params = pack.get("parameters", {})
    items = {i["id"]: i for i in pack["items"]}
    pages = {p["id"]: p for p in pack["pages"]}
    out = []
    w = out.append

    w(f"# {text(pack['title'], loc)}")
    w("")
    w("<!-- Generated by generate_readme.py from protocol.json. Do not edit by hand: "
      "edit the pack and run `python3 protocols/microneedling/generate_readme.py`. -->")
    w("")
    w(f"Protocol `{pack['id']}` version **{pack['version']}**"
      + (f", reference policy `{pack['policy']}`" if pack.get("policy") else "")
      + f", format `{pack['format']}`, locales {', '.join(pack['locales'])}.")
    w("")
    consent = pack.get("consent")
    w(f"{len(pack['items'])} questionnaire items on {len(pack['pages'])} pages, {len(pack['rules'])} screening rules, "
      f"{len(params)} parameters, {len(pack.get('aftercare', []))} aftercare instructions, "
      f"{len(pack.get('course', {}).get('plans', []))} course plans"
      + (f", consent document `{consent['version']}` with {len(consent['acknowledgements'])} acknowledgements"
         if consent else "") + ".")
    w("")
    w("This summary is for clinicians reviewing the protocol. It is not medical advice: every rule is tied to its "
      "sources below, and where the sources disagree the parameter ranges show by how much.")
    w("")

    previous = json.loads(PREVIOUS.read_text(encoding="utf-8")) if PREVIOUS.exists() else None
    if previous and previous["version"] != pack["version"]:
        out.extend(changes(previous, pack, loc))

    # --- outcomes ---
    w("## How outcomes combine")
    w("")
    w("The strictest finding wins: not eligible > deferred > incomplete > refer > eligible with precautions > eligible. "
      "Waiting periods are \"at least N\": treatment is allowed on the event date + N. Months are calendar months "
      "clamped to the month's last day. Answers to questions that are not shown are ignored. Each deferral keeps its own "
      "date (or \"until resolved\"); the result's headline date is the latest of them only when every deferral has a date "
      "and no finding needs a referral or rules treatment out (mn-ref-v2 §4); otherwise there is no single date.")
    w("")
    counts = {o: sum(1 for r in pack["rules"] if r["outcome"] == o) for o in OUTCOME_ORDER}
    w("| outcome | rules |")
    w("|---|---|")
    for o in OUTCOME_ORDER:
        w(f"| {OUTCOME_LABEL[o]} (`{o}`) | {counts[o]} |")
    w("")

    # --- rules ---
    w("## Screening rules")
    w("")
    w("In the order the engine evaluates them (findings are reported in this order).")
    w("")
    w("| # | rule | outcome | fires when | waiting period | override | sources |")
    w("|---|---|---|---|---|---|---|")
    for n, r in enumerate(pack["rules"], 1):
        wait = ""
        if "defer" in r:
            p = params.get(r["defer"]["wait"], {})
            wait = (f"{' / '.join('`' + a + '`' for a in r['defer']['after'])} + `{r['defer']['wait']}` "
                    f"({amount(p.get('default'), p.get('unit'))})")
        elif r["outcome"] == "deferred":
            wait = "until resolved (re-screen)"
        cat = f" ({r['category']})" if r.get("category") else ""
        title = f"{cell(text(r['title'], loc))}<br>" if r.get("title") else ""
        w(f"| {n} | {title}`{r['id']}` | {OUTCOME_LABEL[r['outcome']]}{cat} | {cell(condition(r['when']))} | {cell(wait)} | "
          f"{cell(override_text(r.get('override')))} | {source_links(r['sources'])} |")
    w("")
    w("### Messages and clinician notes")
    w("")
    for r in pack["rules"]:
        heading = f"{text(r['title'], loc)} (`{r['id']}`)" if r.get("title") else f"`{r['id']}`"
        w(f"#### {heading} — {OUTCOME_LABEL[r['outcome']]}")
        w("")
        w(f"- **Patient message:** {text(r['message'], loc)}")
        w(f"- **Clinician note:** {text(r.get('clinician_note', ''), loc)}")
        w(f"- **Sources:** {source_links(r['sources'])}")
        w("")

    # --- parameters ---
    w("## Parameters")
    w("")
    w("Clinic-overridable at load time (never by editing rules). Defaults are the reference policy; an override "
      "outside the range is refused.")
    w("")
    w("| parameter | type | default | range | meaning | sources |")
    w("|---|---|---|---|---|---|")
    for name, p in params.items():
        unit = f" {p['unit']}" if p.get("unit") else ""
        rng = ""
        if "min" in p or "max" in p:
            rng = f"{p.get('min', '')}–{p.get('max', '')}{unit}"
        elif "options" in p:
            rng = ", ".join(p["options"])
        typ = f"{p['type']} ({p['unit']})" if p.get("unit") else p["type"]
        w(f"| `{name}` | {typ} | {amount(p['default'], p.get('unit'))} | {rng} | {cell(text(p.get('description', ''), loc))} | "
          f"{source_links(p.get('sources', []))} |")
    w("")

    # --- questionnaire ---
    w("## Questionnaire")
    w("")
    for page in pack["pages"]:
        w(f"### {text(page['title'], loc)}")
        w("")
        w("| id | type | question | required | shown when |")
        w("|---|---|---|---|---|")
        for it in pack["items"]:
            if it["page"] != page["id"]:
                continue
            typ = it["type"]
            if "options" in it:
                typ += ": " + ", ".join(f"`{o['value']}`" for o in it["options"])
            req = "yes" if it.get("required") else ""
            shown = condition(it["enable_when"]) if "enable_when" in it else "always"
            w(f"| `{it['id']}` | {cell(typ)} | {cell(text(it['text'], loc))} | {req} | {cell(shown)} |")
        w("")
    assert all(i["page"] in pages for i in items.values())

    # --- aftercare ---
    if pack.get("aftercare"):
        w("## Aftercare")
        w("")
        w("| phase | instruction | given when | text | sources |")
        w("|---|---|---|---|---|")
        for a in pack["aftercare"]:
            when = condition(a["when"]) if "when" in a else "always"
            w(f"| {a['phase']} | `{a['id']}` | {cell(when)} | {cell(text(a['text'], loc))} | "
              f"{source_links(a.get('sources', []))} |")
        w("")

    # --- course ---
    course = pack.get("course")
    if course:
        w("## Course plans")
        w("")
        w("The first plan whose condition holds is the patient's plan.")
        w("")
        w("| plan | when | sessions | weeks between | text | sources |")
        w("|---|---|---|---|---|---|")
        for p in course["plans"]:
            when = condition(p["when"]) if "when" in p else "otherwise"
            w(f"| `{p['id']}` | {cell(when)} | {p['sessions']} | {p['interval_weeks']} | {cell(text(p['text'], loc))} | "
              f"{source_links(p.get('sources', []))} |")
        w("")
        if course.get("follow_up"):
            fu = course["follow_up"]
            w(f"Follow-up: {fu['weeks']} weeks. {text(fu['text'], loc)}")
            w("")

    # --- consent ---
    if consent:
        w("## Consent document")
        w("")
        w(f"Version `{consent['version']}`: {text(consent['title'], loc)}. Consent is possible when the outcome is "
          + ", ".join(f"`{o}`" for o in consent["permitted_outcomes"]) + ".")
        for key, label in (("validity", "Valid for"), ("cooling_off", "Cooling-off")):
            if consent.get(key) in params:
                p = params[consent[key]]
                w(f"{label}: parameter `{consent[key]}`, default {amount(p['default'], p.get('unit'))} "
                  f"(range {p.get('min', '')}–{p.get('max', '')} {p.get('unit', '')}).")
        w("")
        if consent.get("intro"):
            w(text(consent["intro"], loc))
            w("")
        for s in consent["sections"]:
            cited = f" ({source_links(s['sources'])})" if s.get("sources") else ""
            w(f"- **{text(s['title'], loc)}** ({s['kind']}): {text(s['text'], loc)}{cited}")
        w("")
        w("Step: `pre_visit` = acknowledged before the visit (the information was shown and read); `consultation` = at "
          "the consultation, with the practitioner. \"Shown when\": an acknowledgement that applies only to some patients "
          "(its `when`) is shown, and required, only when that holds for the screening; the others are for everyone.")
        w("")
        w("| acknowledgement | section | step | material risk | required | shown when | text | sources |")
        w("|---|---|---|---|---|---|---|---|")
        for a in consent["acknowledgements"]:
            shown = condition(a["when"]) if "when" in a else ""
            if a.get("with_override"):  # about an override: required at signing only when one is given
                shown = "a practitioner override is given (listed when a finding that may be overridden fired)"
            w(f"| `{a['id']}` | {a.get('section', '')} | {a.get('stage', 'consultation')} | {'yes' if a.get('material_risk') else ''} | "
              f"{'yes' if a.get('required') else ''} | {cell(shown)} | {cell(text(a['text'], loc))} | "
              f"{source_links(a.get('sources', []))} |")
        w("")

    # --- languages ---
    translations = {k: v for k, v in pack.get("translations", {}).items() if not k.startswith("$")}
    if translations:
        w("## Languages")
        w("")
        w(f"Written in {', '.join(pack['locales'])}. Translations are kept in `translations/<locale>.json` and loaded "
          "beside the pack by the engine, which refuses a translation missing any patient text "
          "(`missing_translation`; format in docs/languages.md). Clinician notes, rule titles and parameter "
          "descriptions stay in the pack's language. The patient form says, in the language and in English, "
          "when a translation has not yet been reviewed by a clinician.")
        w("")
        w("| locale | reviewed by a clinician | reviewer | date |")
        w("|---|---|---|---|")
        for tag, review in translations.items():
            w(f"| `{tag}` | {'yes' if review.get('reviewed') else '**not yet**'} | {review.get('reviewer', '')} | "
              f"{review.get('reviewed_on', '')} |")
        w("")

    # --- sources ---
    w("## Sources")
    w("")
    for sid, s in pack.get("sources", {}).items():
        url = s.get("url")
        title = text(s["title"], loc)
        extra = "; ".join(x for x in (s.get("authority"), s.get("note")) if x)
        w(f"- <a id=\"source-{sid.lower()}\"></a>**{sid}** {title}" + (f" — <{url}>" if url else "")
          + (f" ({extra})" if extra else ""))
    w("")
    return "\n".join(out)


def main(argv):
    pack = json.loads(PACK.read_text(encoding="utf-8"))
    content = generate(pack)
    if "--check" in argv:
        current = README.read_text(encoding="utf-8") if README.exists() else ""
        if current != content:
            print(f"{README} is stale: run python3 {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    README.write_text(content, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
