"""Protocol pickles by JSON + overrides; one Protocol used from many threads and processes."""

import concurrent.futures
import multiprocessing
import pickle
import threading

import pytest

from conftest import BASE, SMALL_PACK, TODAY, answers


def test_pickle_round_trip(prescreen, pack):
    copy = pickle.loads(pickle.dumps(pack))
    assert copy == pack and copy.digest == pack.digest and copy.id == pack.id
    with_override = prescreen.Protocol.from_file(SMALL_PACK, overrides={"drug_washout": 3})
    again = pickle.loads(pickle.dumps(with_override, protocol=pickle.HIGHEST_PROTOCOL))
    assert again.overrides == {"drug_washout": 3}
    a = answers(drug_past=True, drug_last_dose="2026-08-25")
    assert again.screen(a, today=TODAY).to_dict() == with_override.screen(a, today=TODAY).to_dict()


def test_errors_pickle(prescreen):
    with pytest.raises(prescreen.ProtocolError) as e:
        prescreen.Protocol.from_json("{")
    copy = pickle.loads(pickle.dumps(e.value))
    assert copy.diagnostics == e.value.diagnostics and str(copy) == str(e.value)


def _screen_in_worker(args):
    protocol, a = args
    return protocol.screen(a, today=TODAY).to_dict()


def test_multiprocessing_pool(pack):
    rows = [answers(), answers(pregnant=True), answers(steel_allergy=True)]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        got = pool.map(_screen_in_worker, [(pack, a) for a in rows])
    assert got == [pack.screen(a, today=TODAY).to_dict() for a in rows]


def test_one_protocol_many_threads(pack):
    rows = [answers(), answers(pregnant=True), answers(drug_past=True, drug_last_dose="2026-08-31"),
            answers(blood_thinner=True)]
    expected = [pack.screen(a, today=TODAY).to_dict() for a in rows]
    barrier = threading.Barrier(8)

    def work(k):
        barrier.wait()
        out = []
        for i in range(300):
            a = rows[(i + k) % 4]
            out.append(pack.screen(a, today=TODAY).to_dict() == expected[(i + k) % 4])
            if i % 50 == 0:
                batch = pack.screen_many(rows * 20, today=TODAY, threads=2)
                out.append([r.to_dict() for r in batch] == expected * 20)
        return all(out)

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert all(pool.map(work, range(8)))
