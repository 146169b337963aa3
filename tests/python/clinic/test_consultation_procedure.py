"""The Procedure block of "Consent at the consultation" (CONTRAINDICATIONS-v2 §6: practitioner and
device named), against a real uvicorn and SQLite: the device is prefilled from the clinic file
(protocols/clinic.json "device"), the practitioner adds the cartridge lot, needle depth (mm) and
topical products, and the engine records them as `procedure` inside the signed record's digest. A
value the engine refuses is shown on the page with its code and path, and nothing entered is lost."""

import json
import shutil

import pytest

import prescreen
from clinic_support import PASSWORD, ROOT, SERVER_NOW, TODAY, answers, csrf, login, start_server, submission
from prescreen.clinic import accounts, actions

SHOWN = f"{TODAY}T10:20:00Z"
READ = f"{TODAY}T10:26:00Z"


def serve(data_dir, **settings):
    s = start_server(data_dir, **settings)
    accounts.add_user(s.office.store, "pat", "practitioner", PASSWORD, SERVER_NOW)
    return s


@pytest.fixture
def office_server(tmp_path):
    s = serve(tmp_path / "data")
    yield s
    s.stop()


def statements(protocol, stage):
    document = protocol.consent_document(answers(), today="2026-11-27")
    return [a["id"] for a in document["acknowledgements"] if a["stage"] == stage and a["required"]]


def sent(server, protocol):
    info = protocol.information_record(today=TODAY, acknowledged=statements(protocol, "pre_visit"),
                                       information_shown_at=SHOWN, read_at=READ).to_dict()
    r = server.post(submission(protocol, information_record=info, contact={"name": "Alex Patient"}, locale="en-GB"))
    assert r.status_code == 201, r.text
    return r.json()["submission_id"]


def open_page(server, protocol):
    """(client, submission id, consultation page, the fields a complete signing sends)."""
    sid = sent(server, protocol)
    client, _ = login(server)
    page = client.get(f"/review/submissions/{sid}/consent")
    assert page.status_code == 200, page.text
    fields = {"csrf_token": csrf(page.text), "signature_name": "Alex Patient", "strokes": "", "cs_role": "nurse",
              "cs_register": "NMC", "cs_number": "12A3456B", "acknowledged": statements(protocol, "consultation")}
    return client, sid, page, fields


def stored_record(server, sid):
    with server.office.store.read() as conn:
        text = actions.load(conn, sid)["consent_record"]
    return json.loads(text) if text else None


def test_device_prefilled_from_the_clinic_file_and_the_procedure_sealed_in_the_record(office_server, protocol):
    client, sid, page, fields = open_page(office_server, protocol)
    assert json.loads((ROOT / "protocols" / "clinic.json").read_text())["device"] == "Dermapen 4"
    assert '<legend>Procedure</legend>' in page.text
    assert 'id="procedure-device" name="device" value="Dermapen 4"' in page.text
    assert 'id="procedure-lot" name="cartridge_lot" value=""' in page.text

    fields.update(device="Dermapen 4", cartridge_lot="LOT 24-117", needle_depth="0.5–1.5", products="Hyaluronic acid serum")
    r = client.post(f"/review/submissions/{sid}/consent", data=fields)
    assert r.status_code == 303, r.text[-1500:]
    record = stored_record(office_server, sid)
    assert record["procedure"] == {"device_model": "Dermapen 4", "device_cartridge_lot": "LOT 24-117",
                                   "needle_depth_range": "0.5–1.5 mm", "topical_products": "Hyaluronic acid serum"}
    keys = office_server.office.keys
    assert prescreen.verify_consent(record, seal_key=keys.seal_key).valid
    changed = {**record, "procedure": {**record["procedure"], "device_cartridge_lot": "LOT 24-118"}}
    problems = prescreen.verify_consent(changed, seal_key=keys.seal_key).problems
    assert problems[0]["code"] == "digest_mismatch"  # the lot is inside the digest

    done = client.get(f"/review/submissions/{sid}/consent")
    assert ('id="signed-procedure">Dermapen 4; cartridge lot LOT 24-117; needle depth 0.5–1.5 mm; '
            'Hyaluronic acid serum</dd>') in done.text


def test_a_blank_block_records_no_procedure_and_a_depth_with_its_unit_is_kept(office_server, protocol):
    client, sid, _, fields = open_page(office_server, protocol)
    fields.update(device="  ", cartridge_lot="", needle_depth="", products="")
    assert client.post(f"/review/submissions/{sid}/consent", data=fields).status_code == 303
    assert "procedure" not in stored_record(office_server, sid)

    client, sid, _, fields = open_page(office_server, protocol)
    fields.update(device="Dermapen 4", needle_depth="1.0 mm")
    assert client.post(f"/review/submissions/{sid}/consent", data=fields).status_code == 303
    assert stored_record(office_server, sid)["procedure"] == {
        "device_model": "Dermapen 4", "device_cartridge_lot": None, "needle_depth_range": "1.0 mm", "topical_products": None}


def test_a_value_the_engine_refuses_is_shown_with_its_path_and_kept(office_server, protocol):
    client, sid, _, fields = open_page(office_server, protocol)
    fields.update(device="Dermapen 4", cartridge_lot="LOT 9", products="\u200b")  # invisible only: not a text
    r = client.post(f"/review/submissions/{sid}/consent", data=fields)
    assert r.status_code == 422
    assert 'id="refusal-code">wrong_type<' in r.text and "<code>/procedure/topical_products</code>" in r.text
    assert 'name="cartridge_lot" value="LOT 9"' in r.text and 'name="signature_name" value="Alex Patient"' in r.text
    assert stored_record(office_server, sid) is None


def test_no_device_prefilled_when_the_clinic_file_names_none(tmp_path, protocol):
    protocols = tmp_path / "protocols"
    shutil.copytree(ROOT / "protocols" / "microneedling", protocols / "microneedling")
    clinic = json.loads((ROOT / "protocols" / "clinic.json").read_text())
    del clinic["device"]
    (protocols / "clinic.json").write_text(json.dumps(clinic))
    server = serve(tmp_path / "data", protocols_dir=protocols)
    try:
        _, _, page, _ = open_page(server, protocol)
        assert 'id="procedure-device" name="device" value=""' in page.text
    finally:
        server.stop()
