"""Issue 12, item 9: dict answers obey the same 1 MiB limit (Limits::max_answers_bytes) as JSON text.

The limit counts the answer set as compact JSON text. A dict is refused at exactly the size its
text would be refused at, whichever reader takes it (the fast dict reader, the json path for
mappings and odd values, DataFrame rows), and reading stops at the limit: a 4-million-element
list is refused without being converted (it took 45 s and 8 GB before).
"""

import json
import resource
import time

import pytest

from conftest import BASE, TODAY

LIMIT = 1024 * 1024


def _padded(size: int, filler: str = "y", extra=None) -> dict:
    """BASE plus a `notes` answer padded so the compact JSON text is exactly `size` bytes."""
    row = dict(BASE, **(extra or {}), notes="")
    base = len(json.dumps(row, separators=(",", ":"), ensure_ascii=False).encode())
    unit = len(json.dumps(filler, ensure_ascii=False).encode()) - 2
    count, rest = divmod(size - base, unit)
    row["notes"] = filler * count + "y" * rest
    assert len(json.dumps(row, separators=(",", ":"), ensure_ascii=False).encode()) == size
    return row


def _code(result):
    return getattr(result, "code", None)


@pytest.mark.parametrize("filler", ["y", '"', "\n", "\x01", "é", "😀"], ids=["ascii", "quote", "newline", "control", "accent", "emoji"])
def test_dict_and_text_are_refused_at_the_same_size(pack, filler):
    for size in (LIMIT - 1, LIMIT, LIMIT + 1):
        row = _padded(size, filler)
        text = json.dumps(row, separators=(",", ":"), ensure_ascii=False)
        as_dict, as_text = pack.screen_many([row, text], today=TODAY)
        expected = "document_too_large" if size > LIMIT else None
        assert (_code(as_dict), _code(as_text)) == (expected, expected), size


def test_numbers_lists_and_keys_count(pack):
    # A list of short strings and numbers, around the limit: the same verdict as the text.
    for count in (LIMIT // 4 - 20_000, LIMIT // 4 + 1000):
        row = dict(BASE, areas=["ab"] * (count // 2), scores=list(range(count // 2)))
        text = json.dumps(row, separators=(",", ":"))
        as_dict, as_text = pack.screen_many([row, text], today=TODAY)
        assert _code(as_dict) == _code(as_text), (count, len(text))
    many_keys = {f"k{i:07d}": 1 for i in range(90_000)}  # ~1.2 MB of keys
    as_dict, as_text = pack.screen_many([many_keys, json.dumps(many_keys, separators=(",", ":"))], today=TODAY)
    assert _code(as_dict) == _code(as_text) == "document_too_large"


def test_huge_list_is_refused_before_it_is_read(pack):
    huge = {"areas": ["ab"] * 4_000_000}
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.process_time()
    first, second = pack.screen_many([huge, BASE], today=TODAY)
    assert time.process_time() - start < 2.0  # 45 s before; reading stops at the limit
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024  # KB: under 100 MB more
    assert first.code == "document_too_large" and first.path == ""
    assert first.message == "answers: the answers take more than 1048576 bytes as JSON text; the limit is 1048576"
    assert second.outcome == "eligible"  # the next row is screened as usual: nothing is lost
    with pytest.raises(ValueError, match=r"^answers: the answers take more than 1048576 bytes as JSON text"):
        pack.screen(huge, today=TODAY)


def test_mappings_and_odd_values_take_the_same_limit(pack):
    import collections
    import datetime

    # Not a plain dict / a date value: the json path, which counts the same way.
    row = _padded(LIMIT + 1)
    assert _code(pack.screen_many([collections.OrderedDict(row)], today=TODAY)[0]) == "document_too_large"
    dated = _padded(LIMIT + 1, extra={"seen_on": "2026-01-01"})
    dated["seen_on"] = datetime.date(2026, 1, 1)  # "2026-01-01" as text: the same size
    assert _code(pack.screen_many([dated], today=TODAY)[0]) == "document_too_large"
    dated = _padded(LIMIT, extra={"seen_on": "2026-01-01"})
    dated["seen_on"] = datetime.date(2026, 1, 1)
    assert _code(pack.screen_many([dated], today=TODAY)[0]) is None


def test_dataframe_rows_take_the_same_limit(pack):
    import pandas as pd

    small = _padded(1000)
    big = _padded(LIMIT + 1)
    frame = pd.DataFrame([small, big, small], dtype=object)
    out = pack.screen_frame(frame, today=TODAY)
    assert list(out["error_code"].fillna("")) == ["", "document_too_large", ""]
    assert list(out["outcome"].astype(str))[0] == list(out["outcome"].astype(str))[2]
