"""Op format 2: ops are authenticated by their origin's attestations (FORMAT.md "Op signatures").

A relay forwards the origin's attestation unchanged, in any subset and order; a changed op, an
attestation under the wrong key or a forged one for a real site is held as bad_signature; ops stored with
per-op signatures from older packages still verify and are relayed with them; gov_view projections verify.
Packages are re-packed here with the sender's real keys (what a dishonest relay can do)."""
from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import replace

import pytest
from sqlalchemy import select

from models.oplog import Op, OpRecord
from models.suggestion import Suggestion
from models.sync.attest import Attestation, make_attestation, op_digest, parse_attestation
from models.sync.opcodec import att_ref, decode_op, encode_op, signed_bytes
from models.sync.peers import Peer, QuarantinedOp
from models.unit import Unit
from tests.sync.package_helpers import op_fields_v1, read_package, repack, sign_op_v1
from tests.sync.workstations import Workstation, add_unit, unit_names


def _names(ops: list[bytes]) -> list[str]:
    return [json.loads(decode_op(body)[0].value)["name"] for body in ops]


def test_own_ops_are_attested_once_and_every_export_carries_the_same_bytes(trio):
    a, b, c = trio
    for name in ("县水利局", "县林业局", "县财政局"):
        add_unit(a.db, name)
    _, _, to_b_atts, to_b_ops = read_package(a.export_to(b).path, a, b)
    _, _, to_c_atts, to_c_ops = read_package(a.export_to(c).path, a, c)
    assert len(to_b_atts) == 1 and to_b_atts == to_c_atts  # made at the first export, reused byte for byte
    assert to_b_ops == to_c_ops
    attestation = parse_attestation(to_b_atts[0])
    assert attestation.site_id == a.site_id and len(attestation.digests) == 3
    with a.db.read_scope() as session:
        assert {att_ref(sig) for sig in session.scalars(select(Op.sig))} == {attestation.att_id}
    assert b.import_file(a.export_to(b).path).new_ops == 3


def test_a_relayed_subset_in_another_order_verifies(trio):
    a, b, c = trio
    for name in ("县水利局", "县林业局", "县财政局", "县民政局"):
        add_unit(a.db, name)
    b.import_file(a.export_to(b).path)
    relayed = b.export_to(c).path
    _, _, attestations, ops = read_package(relayed, b, c)
    assert len(attestations) == 1 and parse_attestation(attestations[0]).site_id == a.site_id  # a's, unchanged
    subset = [ops[3], ops[1]]  # two of a's four ops, the last one first: the others withheld
    result = c.import_file(repack(relayed, b, c, attestations, subset))
    assert (result.new_ops, result.held) == (2, {})
    assert unit_names(c) == set(_names(subset))
    with c.db.read_scope() as session:  # stored, so c can relay a's attestation in turn
        assert session.get(Attestation, parse_attestation(attestations[0]).att_id) is not None


def test_a_changed_op_is_held_as_bad_signature(trio):
    a, b, c = trio
    add_unit(a.db, "县水利局")
    add_unit(a.db, "县林业局")
    b.import_file(a.export_to(b).path)
    relayed = b.export_to(c).path
    _, _, attestations, ops = read_package(relayed, b, c)
    op, _, _ = decode_op(ops[0])
    forged = replace(op, value=op.value.replace("县水利局", "县水务局"))
    result = c.import_file(repack(relayed, b, c, attestations, [encode_op(forged), ops[1]]))
    assert (result.new_ops, result.held) == (1, {"bad_signature": 1})
    assert unit_names(c) == {"县林业局"}


def test_an_attestation_under_another_sites_key_is_refused(trio):
    """b (a relay) attests a's ops honestly under its own name and key: not a's attestation."""
    a, b, c = trio
    add_unit(a.db, "县水利局")
    b.import_file(a.export_to(b).path)
    relayed = b.export_to(c).path
    _, _, _, ops = read_package(relayed, b, c)
    op, _, _ = decode_op(ops[0])
    own = make_attestation(b.identity, [op_digest(signed_bytes(op))])
    rewritten = encode_op(replace(op, sig='{"att":"' + own.att_id + '"}'))
    result = c.import_file(repack(relayed, b, c, [own.body], [rewritten]))
    assert (result.new_ops, result.held) == (0, {"bad_signature": 1})
    assert unit_names(c) == set()


def test_a_forged_attestation_for_a_real_site_is_refused(trio):
    """b invents an op of a's and an attestation naming a, signed with b's key: held, never applied."""
    a, b, c = trio
    row = add_unit(a.db, "县水利局")
    b.import_file(a.export_to(b).path)
    relayed = b.export_to(c).path
    _, _, real, ops = read_package(relayed, b, c)
    op, _, _ = decode_op(ops[0])
    invented = replace(op, op_id=f"{a.site_id}:{op.op_id.split(':')[1]}:99", field="note",
                       value=json.dumps("伪造"), pred=(op.op_id,))
    digests = base64.b64encode(op_digest(signed_bytes(invented))).decode("ascii")
    message = b"FJLD-ATT-v1" + json.dumps({"digests": digests, "site": a.site_id}, separators=(",", ":"),
                                           sort_keys=True).encode()
    body = json.dumps({"digests": digests, "sig": base64.b64encode(b.identity.sign(message)).decode("ascii"),
                       "site": a.site_id}, separators=(",", ":"), sort_keys=True).encode()
    assert parse_attestation(body).site_id == a.site_id  # well-formed: only its signature is wrong
    forged_ref = '{"att":"' + hashlib.sha256(body).hexdigest() + '"}'
    result = c.import_file(repack(relayed, b, c, real + [body], [ops[0], encode_op(replace(invented, sig=forged_ref))]))
    assert (result.new_ops, result.held) == (1, {"bad_signature": 1})
    with c.db.read_scope() as session:
        assert session.get(Unit, uuid.UUID(row)).note != "伪造"
        assert [q.reason for q in session.scalars(select(QuarantinedOp))] == ["bad_signature"]


def test_an_op_naming_an_attestation_the_package_lacks_is_held(trio):
    a, b, c = trio
    add_unit(a.db, "县水利局")
    add_unit(a.db, "县林业局")
    b.import_file(a.export_to(b).path)
    relayed = b.export_to(c).path
    _, _, _, ops = read_package(relayed, b, c)
    result = c.import_file(repack(relayed, b, c, [], ops))  # attestation withheld
    assert (result.new_ops, result.held) == (0, {"bad_signature": 2})


def test_old_per_op_signed_ops_still_verify_and_are_relayed_with_their_signatures(trio):
    """A package of op format 1 (per-op Ed25519 signatures), as an older version wrote it."""
    a, b, c = trio
    add_unit(a.db, "县水利局")
    add_unit(a.db, "县林业局")
    package = a.export_to(b).path
    _, _, _, ops = read_package(package, a, b)
    old_ops = []
    for body in ops:
        op, _, _ = decode_op(body)
        signed = replace(op, sig=sign_op_v1(a.identity, op))
        old_ops.append(json.dumps(op_fields_v1(signed)).encode())
    tampered = json.loads(old_ops[1])
    tampered["value"] = tampered["value"].replace("县林业局", "县林草局")
    old_ops[1] = json.dumps(tampered).encode()
    result = b.import_file(repack(package, a, b, [], old_ops, op_fmt=1))
    assert (result.new_ops, result.held) == (1, {"bad_signature": 1})
    assert unit_names(b) == {"县水利局"}
    with b.db.read_scope() as session:
        [stored] = session.scalars(select(Op.sig).where(Op.site_id == a.site_id))
    assert att_ref(stored) is None and "full" in json.loads(stored)
    _, _, attestations, relayed_ops = read_package(b.export_to(c).path, b, c)
    assert attestations == [] and json.loads(decode_op(relayed_ops[0])[0].sig) == json.loads(stored)
    assert c.import_file(b.export_to(c).path).new_ops == 1
    assert unit_names(c) == {"县水利局"}


def test_gov_view_projections_verify_at_the_next_hop(tmp_path):
    """a's suggestion, cut down by b for a government site, verifies there under a's attestation,
    which holds the projection's digest; the full op does not pass as the cut one."""
    a, b = Workstation(tmp_path / "a", "a"), Workstation(tmp_path / "b", "b")
    gov = Workstation(tmp_path / "g", "g", role="government")
    for first, second in ((a, b), (b, a), (gov, b), (gov, a)):
        first.pair(second)
    b.pair(gov, profile="gov_view")
    with a.db.session_scope() as session:
        suggestion = Suggestion(doc_no="宿检行公建〔2024〕9号", addressee_name="某县自然资源局", to_government=True,
                                facts="不对政府方公开的事实")
        session.add(suggestion)
        session.flush()
        row = suggestion.id
    b.import_file(a.export_to(b).path)
    relayed = b.export_to(gov).path
    _, _, attestations, ops = read_package(relayed, b, gov)
    assert [parse_attestation(body).site_id for body in attestations] == [a.site_id]
    assert "不对政府方公开" not in decode_op(ops[0])[0].value
    result = gov.import_file(relayed)
    assert (result.new_ops, result.held) == (1, {})
    with gov.db.read_scope() as session:
        assert session.get(Suggestion, row).doc_no == "宿检行公建〔2024〕9号"
    for site in (a, b, gov):
        site.close()


def test_a_held_op_of_an_unknown_site_is_verified_by_its_stored_attestation_once_confirmed(tmp_path):
    from models.services import sync as service

    a, b, c = (Workstation(tmp_path / n, n) for n in ("a", "b", "c"))
    for first, second in ((a, b), (b, a), (b, c), (c, b)):
        first.pair(second)
    add_unit(c.db, "县水利局")
    b.import_file(c.export_to(b).path)
    assert a.import_file(b.export_to(a).path).held == {"unknown_signer": 1}
    with a.db.session_scope() as session:
        [intro] = service.introductions(session)
        assert service.confirm_introduction(session, c.site_id, intro.fingerprint, "liaison") == 1
    assert unit_names(a) == {"县水利局"}
    with a.db.read_scope() as session:
        assert session.get(Peer, c.site_id) is None  # known only through b's introduction
    for site in (a, b, c):
        site.close()


def test_canonical_encoding_is_required_of_the_signed_bytes(trio):
    """The receiver hashes the bytes it received; another encoding of the same op is refused outright."""
    a, b, _ = trio
    add_unit(a.db, "县水利局")
    package = a.export_to(b).path
    _, _, attestations, ops = read_package(package, a, b)
    op, raw, _ = decode_op(ops[0])
    spaced = ops[0][:len(ops[0]) - len(raw)] + json.dumps(json.loads(raw), ensure_ascii=False).encode()
    with pytest.raises(Exception) as caught:
        decode_op(spaced)
    assert getattr(caught.value, "code", None) == "malformed"
    assert OpRecord(**{**op.__dict__}) == op


def test_the_direct_encoder_writes_exactly_the_canonical_json():
    import random

    from models.fieldcodec import canonical_json
    from models.sync.opcodec import signed_fields

    rng = random.Random(15)
    alphabet = 'ab"\\/\x00\x01\x1f\x7f\t\n\r 案件é\u2028\u2029😀{}[],:'
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        op = OpRecord(f"s:{rng.randint(0, 9)}:{rng.randint(0, 10**6)}", rng.randint(0, 2**63), "s", text, "unit",
                      str(uuid.uuid4()), rng.choice(["*", "name"]), json.dumps(text, ensure_ascii=False),
                      tuple(f"s:1:{n}" for n in range(rng.randint(0, 3))))
        assert signed_bytes(op) == canonical_json(signed_fields(op)).encode("utf-8")
