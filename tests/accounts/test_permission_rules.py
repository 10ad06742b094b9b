"""The role table itself (pure): complete, and an extra role never takes a right away."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from models.registry import ENTITY_BY_NAME
from models.rules.permissions import (
    ACTIONS,
    ENTITY_ACTION,
    LEADER,
    LIAISON,
    PROSECUTOR,
    ROLES,
    RULES,
    Scope,
    allowed,
    parse_roles,
    refusal,
    roles_allowing,
    scope_of,
    write_action,
)


def test_every_replicated_entity_has_a_write_action():
    """A new entity must be placed in the table on purpose (else it would fall under case.write)."""
    assert set(ENTITY_BY_NAME) - {"attachment"} == set(ENTITY_ACTION)
    assert set(ENTITY_ACTION.values()) <= set(ACTIONS)
    assert write_action("attachment", "meeting") == "meeting.write"
    assert write_action("attachment", "case") == "case.write"


def test_every_action_is_allowed_to_someone_and_every_rule_names_a_known_action():
    for role, rules in RULES.items():
        assert role in ROLES and set(rules) <= set(ACTIONS)
    assert all(roles_allowing(action) for action in ACTIONS)


def test_the_liaison_never_reads_or_writes_case_details():
    assert not allowed((LIAISON,), "case.read") and not allowed((LIAISON,), "case.write")
    assert scope_of((PROSECUTOR,), "case.write") is Scope.OWN
    assert allowed((PROSECUTOR,), "case.write", own=True) and not allowed((PROSECUTOR,), "case.write", own=False)
    assert allowed((PROSECUTOR, LEADER), "case.write", own=False)


@given(roles=st.sets(st.sampled_from(ROLES)), extra=st.sampled_from(ROLES), action=st.sampled_from(sorted(ACTIONS)),
       own=st.booleans())
def test_an_extra_role_never_takes_a_right_away(roles, extra, action, own):
    if allowed(tuple(roles), action, own=own):
        assert allowed(tuple(roles | {extra}), action, own=own)


@given(text=st.text(max_size=40))
def test_role_lists_parse_or_raise_value_error(text):
    try:
        parsed = parse_roles(text)
    except ValueError:
        return
    assert parsed and set(parsed) <= set(ROLES)


def test_a_refusal_is_one_chinese_line_naming_who_may():
    message = refusal("accounts", (LIAISON,))
    assert message == "无权管理账户：只有管理员可以操作（当前账户角色：府检办联络员）"
    assert parse_roles("内勤、领导") == ("内勤", "部门负责人")
