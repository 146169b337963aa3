"""Analysts read the store straight into pandas: one row per submission, the columns of
``prescreen.io``'s result table (from the server's own screening on the patient's day) followed by the
submission's own columns, so ``prescreen.report`` works on real submissions."""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from typing import Any, Optional, Union

from sqlalchemy import select

from .schema import submissions
from .storage import Store

#: The submission's own columns, after prescreen.io.RESULT_COLUMNS.
SUBMISSION_COLUMNS = ["submission_id", "received_at", "outcome_on_receipt", "flags", "status", "consent_digest",
                      "countersigned", "withdrawn"]


def read_submissions(database_url_or_data_dir: Union[str, os.PathLike], since: Any = None):
    """Submissions received at or after ``since`` (a date, datetime or ISO text; None = all), oldest first."""
    import pandas as pd

    from prescreen import io as pio

    target = os.fspath(database_url_or_data_dir)
    store = Store.open(url=target, migrate=False) if "://" in target else Store.open(Path(target), migrate=False)
    query = select(submissions.c.id, submissions.c.received_at, submissions.c.outcome_on_receipt, submissions.c.flags,
                   submissions.c.status, submissions.c.consent_digest, submissions.c.countersignature,
                   submissions.c.withdrawal, submissions.c.result).order_by(submissions.c.seq)
    if since is not None:
        if isinstance(since, datetime.datetime):
            since = since.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        elif isinstance(since, datetime.date):
            since = since.isoformat()
        query = query.where(submissions.c.received_at >= str(since))
    results, metas = [], []
    try:
        with store.read() as conn:
            for row in conn.execute(query):
                results.append(json.loads(row.result))
                metas.append({"submission_id": row.id, "received_at": row.received_at,
                              "outcome_on_receipt": row.outcome_on_receipt, "flags": json.loads(row.flags),
                              "status": row.status, "consent_digest": row.consent_digest,
                              "countersigned": row.countersignature is not None, "withdrawn": row.withdrawal is not None})
    finally:
        store.close()
    frame = pio.results_frame(results, metas)
    if not len(frame):
        frame = pd.DataFrame(columns=pio.RESULT_COLUMNS + SUBMISSION_COLUMNS)
    frame["received_at"] = pd.to_datetime(frame["received_at"], utc=True, format="ISO8601")
    return frame
