"""Enforcing the role table (models/rules/permissions.py) in the service layer, in as few places as
possible (issue 16 §2):

- the acting account (`Actor`) rides on every session of an unlocked Database (`session.info["actor"]`),
  put there once by `attach_actor` at unlock;
- writes of replicated records are checked in one before_flush hook (the same point where the op log
  sees every change), including 承办检察官's "own records only";
- a liaison's reads are filtered in one do_orm_execute hook: no cases, no 建议内容, only the
  检察建议 and 线索移送 sent to the government side, and of those only the fields the government view holds
  (in their rows and in the op log's 修改记录);
- everything else (export, backup, restore, sync, accounts, settings ...) calls `require(...)`.

A Database opened without an account (tests, benchmarks, internal jobs that open the file directly)
has no actor and is not restricted: whoever holds the data key can read the file anyway."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, event, inspect, or_
from sqlalchemy.orm import ORMExecuteState, Session, defer, with_loader_criteria
from sqlalchemy.orm.attributes import set_committed_value

from models.attachment import Attachment
from models.base import SyncedMixin
from models.case import Case
from models.errors import DomainError
from models.oplog import Op
from models.registry import SUGGESTION_STATUS_FIELDS, TRANSFER_SHARED_FIELDS, replicated_columns
from models.rules.permissions import Scope, allowed, refusal, scope_of, write_action
from models.suggestion import Suggestion, SuggestionItem
from models.transfer import Transfer

if TYPE_CHECKING:
    from models.storage import Database

ACTOR_KEY = "actor"


@dataclass(frozen=True)
class Actor:
    """The person at the keyboard: account name (recorded as the author of ops and audit events) and roles."""

    name: str
    roles: tuple[str, ...]
    account_id: str = ""


def normalize_person(text: object) -> str:
    """One spelling of a person's name for comparing 承办人 with an account: NFKC (full-width letters), no
    whitespace at all (“张 三” as typed in some ledgers is 张三), case-insensitive."""
    return "".join(unicodedata.normalize("NFKC", str(text or "")).split()).casefold()


def attach_actor(db: Database, actor: Actor) -> None:
    """Every session the database opens from now on (read, write, interactive) carries `actor`; ops and
    audit events name the account."""
    for maker in (db.sessions, db.read_sessions, db.interactive_sessions):
        info = dict(maker.kw.get("info") or {})
        info[ACTOR_KEY] = actor
        maker.configure(info=info)
    db.user = actor.name


def actor_of(session_or_db: Session | Database) -> Actor | None:
    if isinstance(session_or_db, Session):
        actor = session_or_db.info.get(ACTOR_KEY)
    else:
        actor = (session_or_db.sessions.kw.get("info") or {}).get(ACTOR_KEY)
    return actor if isinstance(actor, Actor) else None


def may(session_or_db: Session | Database, action: str) -> bool:
    """Whether the acting account may do `action` at all (for showing or hiding a button)."""
    actor = actor_of(session_or_db)
    return actor is None or scope_of(actor.roles, action) is not None


def require(session_or_db: Session | Database, action: str) -> None:
    """Refuses `action` with DomainError("forbidden", one Chinese line saying which role may do it).
    An own-only scope passes here; the record-level check is in the flush hook."""
    actor = actor_of(session_or_db)
    if actor is not None and scope_of(actor.roles, action) is None:
        raise DomainError("forbidden", refusal(action, actor.roles), action=action)


# --- writes: one check where every local change of a replicated record passes ---

def _pending_or_stored(session: Session, cls: type[Any], row_id: Any) -> Any:
    if row_id is None:
        return None
    for obj in session.new:
        if isinstance(obj, cls) and obj.id == row_id:
            return obj
    return session.get(cls, row_id)


def _old_and_new(obj: Any, key: str) -> list[Any]:
    history = inspect(obj).attrs[key].history
    values = list(history.added) + list(history.deleted) + list(history.unchanged)
    return values or [getattr(obj, key)]


def _case_is_own(case: Case | None, actor: Actor) -> bool:
    return case is not None and normalize_person(case.handler) == normalize_person(actor.name)


def _owns(session: Session, obj: Any, actor: Actor) -> bool:
    """Every owner the row had before this change and has after it is the acting account."""
    if isinstance(obj, Case):
        if obj in session.new and not normalize_person(obj.handler):
            obj.handler = actor.name   # a 承办检察官 registering a case is its 承办人
        return all(normalize_person(v) == normalize_person(actor.name) for v in _old_and_new(obj, "handler"))
    if isinstance(obj, Suggestion):
        return all(_case_is_own(_pending_or_stored(session, Case, v), actor) for v in _old_and_new(obj, "case_id"))
    if isinstance(obj, SuggestionItem):
        return all(_owns(session, _pending_or_stored(session, Suggestion, v), actor)
                   for v in _old_and_new(obj, "suggestion_id"))
    if isinstance(obj, Attachment):
        owner_cls = {"case": Case, "suggestion": Suggestion}.get(obj.owner_entity)
        owner = _pending_or_stored(session, owner_cls, obj.owner_id) if owner_cls else None
        return owner is not None and _owns(session, owner, actor)
    return False


@event.listens_for(Session, "before_flush", insert=True)
def _check_writes(session: Session, _flush_context: object, _instances: object) -> None:
    actor = session.info.get(ACTOR_KEY)
    if not isinstance(actor, Actor) or session.info.get("applying_remote"):
        return  # no account (internal) / ops of a peer, authorised by the sync import itself
    changed = [o for o in session.new if isinstance(o, SyncedMixin)]
    changed += [o for o in session.dirty if isinstance(o, SyncedMixin) and session.is_modified(o)]
    changed += [o for o in session.deleted if isinstance(o, SyncedMixin)]
    with session.no_autoflush:
        for obj in changed:
            action = write_action(obj.entity_name, getattr(obj, "owner_entity", "") or "")
            scope = scope_of(actor.roles, action)
            if scope is None:
                raise DomainError("forbidden", refusal(action, actor.roles), action=action)
            if scope is Scope.OWN and not _owns(session, obj, actor):
                raise DomainError("forbidden", refusal(action, actor.roles, own_only=True), action=action)


# --- reads: the government view for accounts without case.read ---

_HIDDEN_ATTACHMENT_OWNERS = ("case", "suggestion", "suggestion_item", "transfer")
_VISIBLE_FIELDS = {Suggestion: SUGGESTION_STATUS_FIELDS, Transfer: TRANSFER_SHARED_FIELDS}
# The op log holds every value ever written (修改记录): of cases, 建议内容 and attachments nothing, of
# 检察建议 and 线索移送 only the shared fields' ops (a create op carries every field, so it is hidden too).
_VISIBLE_OPS = or_(Op.entity.not_in(("case", "suggestion_item", "attachment", "suggestion", "transfer")),
                   and_(Op.entity == "suggestion", Op.field.in_(sorted(SUGGESTION_STATUS_FIELDS))),
                   and_(Op.entity == "transfer", Op.field.in_(sorted(TRANSFER_SHARED_FIELDS))))


def _government_view(session: Session) -> bool:
    actor = session.info.get(ACTOR_KEY)
    return isinstance(actor, Actor) and not allowed(actor.roles, "case.read")


@event.listens_for(Session, "do_orm_execute")
def _filter_reads(state: ORMExecuteState) -> None:
    if not state.is_select or state.is_column_load or not _government_view(state.session):
        return
    # The non-shared columns of 检察建议 and 线索移送 are not even fetched (on a server the liaison's login
    # may not read them: models/pg_roles.py); _blank_details below gives them their blank values.
    loaded = {d.get("expr") for d in getattr(state.statement, "column_descriptions", ())}
    deferred = [defer(getattr(cls, key)) for cls, visible in _VISIBLE_FIELDS.items() if cls in loaded
                for key in replicated_columns(cls) if key not in visible]
    state.statement = state.statement.options(
        *deferred,
        with_loader_criteria(Case, Case.id.is_(None)),
        with_loader_criteria(SuggestionItem, SuggestionItem.id.is_(None)),
        with_loader_criteria(Suggestion, Suggestion.to_government.is_(True)),
        with_loader_criteria(Transfer, Transfer.to_government.is_(True)),
        with_loader_criteria(Attachment, Attachment.owner_entity.not_in(_HIDDEN_ATTACHMENT_OWNERS)),
        with_loader_criteria(Op, _VISIBLE_OPS),
    )


# Search reads the index with raw SQL, past the filter above: the kinds whose indexed text holds case
# details (a 检察建议's or 线索移送's body includes fields the government view blanks) are not searched.
GOVERNMENT_UNSEARCHABLE = frozenset({"case", "suggestion", "suggestion_item", "attachment", "transfer"})


def unsearchable_kinds(session: Session) -> frozenset[str]:
    """The kinds of text search must leave out for the acting account."""
    return GOVERNMENT_UNSEARCHABLE if _government_view(session) else frozenset()


def _blank_details(target: Any, context: Any) -> None:
    session = getattr(context, "session", None)
    if session is None or not _government_view(session):
        return
    visible = _VISIBLE_FIELDS[type(target)]
    for key, column in replicated_columns(type(target)).items():
        if key in visible:
            continue
        blank: Any = None
        if column.default is not None and column.default.is_scalar:
            blank = "" if isinstance(column.default.arg, str) else column.default.arg
        set_committed_value(target, key, blank)


for _cls in _VISIBLE_FIELDS:
    event.listen(_cls, "load", _blank_details)
    event.listen(_cls, "refresh", lambda target, context, _attrs: _blank_details(target, context))
