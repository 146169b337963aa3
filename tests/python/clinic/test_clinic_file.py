"""The back office names the clinic from the clinic file (protocols/clinic.json), as the patient's
form does: its pages, the patient's copy and the calendar file, and the consultation's device."""

import json
import shutil
from pathlib import Path

from clinic_support import PASSWORD, ROOT, SERVER_NOW, TODAY, answers, csrf, login, start_server, submission
from prescreen.clinic import accounts
from prescreen.clinic.clinic_file import UNNAMED, read_clinic_file

TREATMENT = {"session_date": "2026-11-30", "device": "Dermapen 4", "cartridge_lot": "LOT-1",
             "needle_depths": "cheeks: 1.0", "products": "serum", "test_spot": "jawline, 2026-11-26",
             "immediate_reaction": "none"}


def read_before_the_visit(protocol):
    """The pre-visit record of a patient who read the consent information and ticked its statements."""
    document = protocol.consent_document(answers(), today=TODAY)
    read = [a["id"] for a in document["acknowledgements"] if a["stage"] == "pre_visit" and a["required"]]
    return protocol.information_record(today=TODAY, acknowledged=read, information_shown_at="2026-11-25T09:00:00Z",
                                       read_at="2026-11-25T09:10:00Z").to_dict()


def clinic_folder(tmp_path: Path, **changes) -> Path:
    """A copy of the protocols folder whose clinic file says what `changes` say."""
    folder = tmp_path / "protocols"
    shutil.copytree(ROOT / "protocols", folder)
    clinic = json.loads((folder / "clinic.json").read_text(encoding="utf-8"))
    clinic.update(changes)
    (folder / "clinic.json").write_text(json.dumps(clinic), encoding="utf-8")
    return folder


def test_pages_copy_and_calendar_name_the_clinic_of_the_clinic_file(tmp_path, protocol):
    folder = clinic_folder(tmp_path, name="Harbour Skin Clinic, Leith", device="SkinPen Precision")
    server = start_server(tmp_path / "data", protocols_dir=folder)
    try:
        accounts.add_user(server.office.store, "pat", "practitioner", PASSWORD, SERVER_NOW)
        sid = server.post(submission(protocol, consent=True)).json()["submission_id"]
        client, _ = login(server)
        queue = client.get("/review/").text
        assert "<title>" in queue and "Harbour Skin Clinic, Leith back office</title>" in queue
        assert "Harbour Skin Clinic, Leith · back office" in queue and "Fairfield" not in queue
        unsigned = server.post(submission(protocol, information_record=read_before_the_visit(protocol),
                                          contact={"name": "Alex Patient"}, locale="en-GB")).json()["submission_id"]
        consultation = client.get(f"/review/submissions/{unsigned}/consent").text
        assert 'name="device" value="SkinPen Precision"' in consultation  # the Procedure block, prefilled
        assert "Harbour Skin Clinic, Leith back office</title>" in consultation
        # The practitioner's facts give date-times in words, not ISO text.
        assert ("Read before the visit: first shown 25 November 2026, 09:00 UTC, confirmed 25 November 2026, "
                "09:10 UTC.") in consultation
        token = csrf(client.get(f"/review/submissions/{sid}").text)
        assert client.post(f"/review/submissions/{sid}/treatment", data=dict(TREATMENT, csrf_token=token)).status_code == 303
        ics = client.get(f"/review/submissions/{sid}/follow-ups.ics").text
        # RFC 5545 TEXT: the comma in the name is escaped, so it stays one value of one property.
        assert "DESCRIPTION:Harbour Skin Clinic\\, Leith: your next micro-needling session." in ics
        assert "Fairfield" not in ics
        copy = client.get(f"/review/submissions/{sid}/patient-copy").text
        assert "Harbour Skin Clinic, Leith</title>" in copy and "Fairfield" not in copy
    finally:
        server.stop()


def test_a_missing_or_broken_clinic_file_gives_a_neutral_name(tmp_path):
    assert read_clinic_file(None).name == UNNAMED
    assert read_clinic_file(str(tmp_path)).name == UNNAMED  # no clinic.json here
    (tmp_path / "clinic.json").write_text("{not json", encoding="utf-8")
    assert read_clinic_file(str(tmp_path)) == read_clinic_file(None)
    (tmp_path / "clinic.json").write_text(json.dumps({"name": "  ", "device": 4}), encoding="utf-8")
    clinic = read_clinic_file(str(tmp_path))
    assert clinic.name == UNNAMED and clinic.device == ""
    assert read_clinic_file(str(ROOT / "protocols")).name == "Fairfield Skin Clinic"  # the demo's file
