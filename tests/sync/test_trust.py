"""Sync you can trust: authorship is checked per op, the receiver decides roles, forks are alerts,
third sites are introduced and confirmed, a refused package changes nothing, 送政府方 can be withdrawn."""
from __future__ import annotations

import json
import shutil
import uuid

import pytest
from sqlalchemy import text

from models.errors import DomainError
from models.keyslots import keys_path_for
from models.merge import apply_ops
from models.oplog import CREATE_FIELD, OpRecord, local_state
from models.services import sync as service
from models.suggestion import Suggestion
from models.sync.errors import PackageError
from models.unit import Unit
from tests.sync.workstations import Workstation, add_unit, paired_sites


def _rename(site: Workstation, row_id: str, name: str) -> None:
    with site.db.session_scope() as session:
        session.get(Unit, uuid.UUID(row_id)).name = name


def _next_op_id(site: Workstation) -> str:
    with site.db.session_scope() as session:
        state = local_state(session)
        return f"{state.site_id}:{state.incarnation}:{state.seq + 1}"


def _relay(site: Workstation, ops: list[OpRecord]) -> None:
    """A malicious (or broken) relay slips ops into its own log; its next package carries them."""
    with site.db.session_scope() as session:
        apply_ops(session, ops)


def _held(site: Workstation) -> dict[str, str]:
    with site.db.session_scope() as session:
        return {op.op_id: op.reason for op in service.quarantine_list(session)}


@pytest.fixture
def trio(tmp_path):
    sites = paired_sites(tmp_path, ("r", "m", "c"))
    yield sites
    for site in sites:
        site.close()


def test_forged_authors_are_held_and_the_receiver_keeps_writing(trio):
    receiver, relay, third = trio
    row = add_unit(receiver.db, "县司法局")
    for site in (relay, third):
        site.import_file(receiver.export_to(site).path)
    stranger = "f" * 32
    hlc = receiver.db.clock.last + 10
    forged = [
        OpRecord(_next_op_id(receiver), hlc, receiver.site_id, "冒充", "unit", row, "name", json.dumps("被改")),
        OpRecord(_next_op_id(third), hlc, third.site_id, "冒充", "unit", row, "note", json.dumps("伪造")),
        OpRecord(f"{stranger}:{'0' * 16}:1", hlc, stranger, "无名", "unit", row, "name", json.dumps("陌生")),
    ]
    _relay(relay, forged)
    result = receiver.import_file(relay.export_to(receiver).path)
    assert result.new_ops == 0 and result.held == {"bad_signature": 2, "unknown_signer": 1}
    assert "签名不符" in result.message
    assert _held(receiver) == {forged[0].op_id: "bad_signature", forged[1].op_id: "bad_signature",
                               forged[2].op_id: "unknown_signer"}
    _rename(receiver, row, "某县司法局")  # local writes go on: no op id was taken by the forgery
    with receiver.db.session_scope() as session:
        assert session.get(Unit, uuid.UUID(row)).name == "某县司法局"
    # The third site's real edit under the very op id the forgery used is applied, not 「重复」.
    with third.db.session_scope() as session:
        session.get(Unit, uuid.UUID(row)).note = "真实备注"
    genuine = receiver.import_file(third.export_to(receiver).path)
    assert genuine.new_ops >= 1 and genuine.forked_ops == 0
    with receiver.db.session_scope() as session:
        assert session.get(Unit, uuid.UUID(row)).note == "真实备注"
    from models.services.doctor import check_database
    assert any("签名不符" in line for line in check_database(receiver.db))


def test_a_fork_is_an_alert_never_a_duplicate(tmp_path, memory_keyring):
    receiver, relay, forker = (Workstation(tmp_path / n, n) for n in ("r", "m", "c"))
    for first, second in ((receiver, relay), (relay, receiver), (relay, forker), (forker, relay),
                          (receiver, forker), (forker, receiver)):
        first.pair(second)
    row = add_unit(forker.db, "财政局")
    forker.db.close()
    shutil.copy(forker.path, tmp_path / "old.db")
    shutil.copy(keys_path_for(forker.path), tmp_path / "old.keys.json")
    _rename(forker, row, "县财政局")
    receiver.import_file(forker.export_to(receiver).path)
    forker.db.close()  # the file AND its key file copied back on a PC without a credential store
    shutil.copy(tmp_path / "old.db", forker.path)
    shutil.copy(tmp_path / "old.keys.json", keys_path_for(forker.path))
    memory_keyring.store.clear()
    forker.reopen()
    _rename(forker, row, "市财政局")  # the same op id, other content, validly signed
    relay.import_file(forker.export_to(relay).path)
    result = receiver.import_file(relay.export_to(receiver).path)
    assert result.forked_ops == 1 and "分叉" in result.message
    with receiver.db.session_scope() as session:
        forks = service.fork_alerts(session)
        assert len(forks) == 1 and forks[0].from_site == relay.site_id
        assert {json.loads(forks[0].local["value"]), json.loads(forks[0].remote["value"])} == {"县财政局", "市财政局"}
        assert session.get(Unit, uuid.UUID(row)).name == "县财政局"
        service.acknowledge_fork(session, forks[0].op_id)
        assert service.fork_alerts(session, unseen_only=True) == []
    for site in (receiver, relay, forker):
        site.close()


def test_the_receiver_sets_the_role_whatever_the_peer_file_claims(tmp_path):
    office = Workstation(tmp_path / "a", "a")
    gov = Workstation(tmp_path / "g", "g", role="procuratorate")  # its own file claims 检察院
    office.pair(gov, profile="gov_view")  # this side decides: government view, government rights
    gov.pair(office)
    with office.db.session_scope() as session:
        peer = service.list_peers(session)[0]
        assert (peer.role, peer.role_claimed) == ("government", "procuratorate")
        shared = Suggestion(doc_no="宿检行公建〔2024〕1号", addressee_name="某县自然资源局", to_government=True)
        session.add(shared)
        session.flush()
        row = shared.id
    gov.import_file(office.export_to(gov).path)
    with gov.db.session_scope() as session:
        suggestion = session.get(Suggestion, row)
        suggestion.doc_no = "改过的文号"  # allowed locally by its self-declared role, not by the receiver
        suggestion.reply_content = "已整改完毕"
    result = office.import_file(gov.export_to(office).path)
    assert result.status == "applied" and result.held == {"not_permitted": 1}
    with office.db.session_scope() as session:
        suggestion = session.get(Suggestion, row)
        assert (suggestion.doc_no, suggestion.reply_content) == ("宿检行公建〔2024〕1号", "已整改完毕")
        held = service.quarantine_list(session)
        assert [(h.field, h.reason) for h in held] == [("doc_no", "not_permitted")]
    for site in (office, gov):
        site.close()


def test_a_government_site_cannot_write_outside_its_role_and_the_service_says_so(tmp_path):
    gov = Workstation(tmp_path / "g", "g", role="government")
    with gov.db.session_scope() as session:
        assert service.writable_fields(session, "case") == frozenset()
        assert "reply_content" in service.writable_fields(session, "suggestion")
        assert "doc_no" not in service.writable_fields(session, "suggestion")
    with pytest.raises(DomainError) as refused:
        add_unit(gov.db, "某局")
    assert "无权修改" in refused.value.message
    gov.close()


def test_third_site_ops_wait_for_a_confirmed_introduction(tmp_path):
    a, b, c = (Workstation(tmp_path / n, n) for n in ("a", "b", "c"))
    for first, second in ((a, b), (b, a), (b, c), (c, b)):
        first.pair(second)
    row = add_unit(c.db, "县水利局")
    b.import_file(c.export_to(b).path)
    result = a.import_file(b.export_to(a).path)
    assert result.held == {"unknown_signer": 1}
    with a.db.session_scope() as session:
        assert session.get(Unit, uuid.UUID(row)) is None
        intro = service.introductions(session)
        assert [(i.site_id, i.introduced_by) for i in intro] == [(c.site_id, b.site_id)]
        with pytest.raises(DomainError):
            service.confirm_introduction(session, c.site_id, "00000 00000 00000 00000 00000 00000", "liaison")
    with a.db.session_scope() as session:
        assert service.confirm_introduction(session, c.site_id, intro[0].fingerprint, "liaison") == 1
        assert session.get(Unit, uuid.UUID(row)).name == "县水利局"
        assert service.quarantine_list(session) == []
    for site in (a, b, c):
        site.close()


def _events(site: Workstation) -> list[str]:
    with site.db.session_scope() as session:
        return list(session.execute(text("SELECT event FROM audit_event ORDER BY seq")).scalars())


def test_a_refused_package_writes_no_backup_and_one_audit_event(trio, tmp_path):
    receiver, sender, _ = trio
    add_unit(sender.db, "县民政局")
    good = sender.export_to(receiver).path
    data = good.read_bytes()
    bad = tmp_path / "tampered.fjpkg"
    bad.write_bytes(data[:400] + bytes([data[400] ^ 1]) + data[401:])
    before, events = receiver.dump(), _events(receiver)
    backups = receiver.db.backup_folder()
    with pytest.raises(PackageError):
        service.import_package_file(receiver.db, bad)
    assert receiver.dump() == before
    assert not backups.exists() or list(backups.iterdir()) == []
    assert _events(receiver) == events + ["sync_import_refused"]
    for missing in (tmp_path / "无此文件.fjpkg", tmp_path):
        with pytest.raises(PackageError) as caught:
            service.import_package_file(receiver.db, missing)
        assert caught.value.message.startswith(("找不到同步包文件", "所选路径是文件夹，不是同步包文件"))
    result = service.import_package_file(receiver.db, good)
    assert result.new_ops == 1 and len(list(backups.glob("*.db"))) == 1


def test_backups_and_their_key_files_are_private(trio):
    site = trio[0]
    path = site.db.backup("manual")
    assert path.stat().st_mode & 0o777 == 0o600
    assert keys_path_for(path).stat().st_mode & 0o777 == 0o600


def test_withdrawing_to_government_removes_the_record_from_the_government_copy(tmp_path):
    office = Workstation(tmp_path / "a", "a")
    gov = Workstation(tmp_path / "g", "g", role="government")
    office.pair(gov, profile="gov_view")
    gov.pair(office)
    with office.db.session_scope() as session:
        suggestion = Suggestion(doc_no="宿检行公建〔2024〕5号", to_government=True)
        session.add(suggestion)
        session.flush()
        row = suggestion.id
    gov.import_file(office.export_to(gov).path)
    with gov.db.session_scope() as session:
        assert session.get(Suggestion, row) is not None
    with office.db.session_scope() as session:
        session.get(Suggestion, row).to_government = False
    gov.import_file(office.export_to(gov).path)
    with gov.db.session_scope() as session:
        assert session.get(Suggestion, row) is None
        assert session.execute(text("SELECT count(*) FROM op WHERE entity = 'suggestion'")).scalar_one() == 0
    with office.db.session_scope() as session:  # shared again: the whole record comes back
        session.get(Suggestion, row).to_government = True
    gov.import_file(office.export_to(gov).path)
    with gov.db.session_scope() as session:
        assert session.get(Suggestion, row).doc_no == "宿检行公建〔2024〕5号"
    assert office.dump("gov_view") == gov.dump("gov_view")
    for site in (office, gov):
        site.close()


def test_create_ops_cut_down_for_a_profile_still_verify(tmp_path):
    from models.sync.profiles import PROFILES, project_op
    from models.sync.signing import verifies
    from tests.sync.package_helpers import sign_op_v1

    site = Workstation(tmp_path / "a", "a")
    op = OpRecord(_next_op_id(site), 1, site.site_id, "", "suggestion", str(uuid.uuid4()), CREATE_FIELD,
                  json.dumps({"doc_no": "1号", "facts": "机密"}, ensure_ascii=False))
    signed = OpRecord(**{**op.__dict__, "sig": sign_op_v1(site.identity, op)})
    cut = project_op(PROFILES["gov_view"], signed)
    assert "机密" not in cut.value and verifies(site.identity.card("").sign_pub, cut)
    assert not verifies(site.identity.card("").sign_pub, OpRecord(**{**cut.__dict__, "value": op.value.replace("1号", "2号")}))
    site.close()
