import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.sync.errors import PackageError
from models.sync.identity import (
    PeerCard,
    SiteIdentity,
    export_peer_file,
    pairing_fingerprint,
    parse_peer_file,
)


def test_peer_file_round_trip_keeps_every_field():
    site = SiteIdentity.generate("某县人民检察院", "办公室-1", "procuratorate")
    card = parse_peer_file(export_peer_file(site, "1.2.0"))
    assert card == site.card("1.2.0")
    assert card.unit == "某县人民检察院" and card.role == "procuratorate"


def test_fingerprint_is_six_groups_of_five_digits_and_differs_per_site():
    first = SiteIdentity.generate("甲", "1", "liaison").card("1")
    second = SiteIdentity.generate("甲", "1", "liaison").card("1")
    assert re.fullmatch(r"\d{5}( \d{5}){5}", first.fingerprint)
    assert first.fingerprint != second.fingerprint


def test_fingerprint_depends_on_every_input():
    sign, kem, site = bytes(32), bytes(range(32)), "0" * 32
    base = pairing_fingerprint(sign, kem, site)
    assert pairing_fingerprint(b"\x01" + sign[1:], kem, site) != base
    assert pairing_fingerprint(sign, b"\x05" + kem[1:], site) != base
    assert pairing_fingerprint(sign, kem, "1" + site[1:]) != base


def test_secret_serialisation_keeps_keys():
    site = SiteIdentity.generate("某县司法局", "联络员", "liaison")
    again = SiteIdentity.from_secret_json(site.to_secret_json())
    assert again.card("1") == site.card("1")
    assert site.card("1").verify(again.sign(b"message"), b"message")


def _edited_peer_file(edit) -> bytes:
    site = SiteIdentity.generate("某县人民检察院", "办公室-1", "procuratorate")
    document = json.loads(export_peer_file(site, "1.0.0"))
    edit(document, site)
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize("edit", [
    lambda doc, site: doc["card"].update(unit="别的单位"),  # label changed after signing
    lambda doc, site: doc["card"].update(
        kem_pub=doc["card"]["sign_pub"]),  # key swapped: signature no longer matches
    lambda doc, site: doc["card"].update(role="admin"),
    lambda doc, site: doc["card"].update(extra="x"),
    lambda doc, site: doc.update(signature="!!!"),
    lambda doc, site: doc.update(kind="other"),
    lambda doc, site: doc["card"].update(site_id="XYZ"),
])
def test_altered_peer_file_is_refused(edit):
    with pytest.raises(PackageError) as caught:
        parse_peer_file(_edited_peer_file(edit))
    assert caught.value.code == "bad_peer_file"
    assert caught.value.message == "配对文件无效或已损坏"


@given(st.binary(max_size=300))
def test_random_bytes_are_never_a_peer_file(data):
    with pytest.raises(PackageError):
        parse_peer_file(data)


def test_oversized_peer_file_is_refused():
    with pytest.raises(PackageError):
        parse_peer_file(b" " * 20_000 + export_peer_file(SiteIdentity.generate("a", "b", "other"), "1"))


def test_card_fields_round_trip():
    card = SiteIdentity.generate("a", "b", "government").card("2.0")
    assert PeerCard.from_fields(card.to_fields()) == card
