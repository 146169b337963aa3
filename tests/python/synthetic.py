"""A synthetic clinic export for the small test pack: typed answer dicts (what the data means) and
the CSV an analyst receives (yes/no in several spellings, spaces, ';' lists, ~3 % bad values)."""

import csv
import random

BRANCHES = ["kensington_church_street", "canary_wharf", "leeds_park_row"]

# (item, the typed answer, how the export writes it)
_BAD = {
    "pregnant": ("maybe", "maybe"),
    "drug_current": ("unsure", " unsure "),
    "sex": ("F", "F"),
    "areas": (["face", "elbow"], "face;elbow"),
    "date_of_birth": ("1990-02-30", "1990-02-30"),
    "drug_last_dose": ("last spring", "last spring"),
    "sessions_before": ("many", "many"),
    "weight_kg": ("70kg", "70kg"),
}
_YES = ["Yes", "yes", "TRUE", "true", "1", " y"]
_NO = ["No", "no", "FALSE", "false", "0", "n "]


def rows(n, seed=16):
    """(answers, meta, csv cells) per row."""
    rnd = random.Random(seed)
    for i in range(n):
        a = {
            "date_of_birth": f"{rnd.randint(1950, 2012)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
            "sex": rnd.choice(["female", "male", "prefer_not_to_say"]),
            "areas": rnd.sample(["face", "neck", "hands"], rnd.randint(1, 2)),
            "pregnant": rnd.random() < 0.05, "drug_current": rnd.random() < 0.03,
            "drug_past": rnd.random() < 0.1, "cream": rnd.random() < 0.1, "steel_allergy": rnd.random() < 0.01,
            "blood_thinner": rnd.random() < 0.04, "cold_sores": rnd.choice(["never", "never", "history", "active"]),
        }
        if a["drug_past"]:
            a["drug_last_dose"] = f"2026-{rnd.randint(1, 11):02d}-{rnd.randint(1, 28):02d}"
        if rnd.random() < 0.5:
            a["sessions_before"] = rnd.randint(0, 50)
        if rnd.random() < 0.5:
            a["weight_kg"] = round(rnd.uniform(40, 120), 1)
        if rnd.random() < 0.2:
            a["notes"] = rnd.choice(["nervous", "first time", "asked about cost"])
        if rnd.random() < 0.05:
            del a[rnd.choice(["sex", "pregnant", "cold_sores"])]  # unanswered
        written = {}
        if rnd.random() < 0.03:
            item = rnd.choice(sorted(_BAD))
            a[item], written[item] = _BAD[item]
        cells = {}
        for k, v in a.items():
            if k in written:
                cells[k] = written[k]
            elif isinstance(v, bool):
                cells[k] = rnd.choice(_YES if v else _NO)
            elif isinstance(v, list):
                cells[k] = rnd.choice([";", "; ", " ;"]).join(v)
            elif k == "sex" and rnd.random() < 0.1:
                cells[k] = f" {v} "
            else:
                cells[k] = str(v)
        meta = {"clinic_branch": BRANCHES[i % 3], "submitted_on": f"2026-{rnd.randint(9, 11):02d}-{rnd.randint(1, 28):02d}",
                "gp_name": rnd.choice(["Dr Patel", "Dr Jones", ""])}
        yield a, meta, cells


COLUMNS = ["date_of_birth", "sex", "areas", "pregnant", "drug_current", "drug_past", "drug_last_dose", "cream",
           "steel_allergy", "blood_thinner", "cold_sores", "sessions_before", "weight_kg", "notes",
           "clinic_branch", "submitted_on", "gp_name"]
META = ["clinic_branch", "submitted_on", "gp_name"]


def write(path, n, seed=16):
    """Write the export; return the typed answers and metadata."""
    answers, metas = [], []
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for a, meta, cells in rows(n, seed):
            answers.append(a)
            metas.append(meta)
            w.writerow([{**cells, **meta}.get(c, "") for c in COLUMNS])
    return answers, metas
