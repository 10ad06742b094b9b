"""Property (sync-security.md A-P1..A-P3): three workstations make random creates, edits, deletions,
append-only entries and conflict resolutions, and exchange packages in random order with duplicates
and losses. Once every site has exported to every other and imported what it got, all dumps are
equal (values and conflict sets), and re-importing any package changes nothing."""
from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from models.merge import list_conflicts, resolve_conflict
from models.oplog import tombstone
from models.tasklist import ProgressEntry
from models.unit import Unit
from tests.sync.workstations import Workstation

SITES = 3
NAMES = st.sampled_from(["司法局", "县司法局", "某县司法局", "财政局"])


class SyncMachine(RuleBasedStateMachine):
    @initialize()
    def set_up(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="fjld-sync-"))
        self.sites = [Workstation(self.folder / f"s{n}", f"s{n}") for n in range(SITES)]
        for first in self.sites:
            for second in self.sites:
                if first is not second:
                    first.pair(second)
        self.rows: list[str] = []  # unit ids created anywhere (a site may not have them yet)
        self.in_flight: list[tuple[int, Path]] = []  # (recipient, package) on some USB stick
        self.delivered: list[tuple[int, Path]] = []
        self.create(0, "司法局")  # one record every office holds from the start, so edits can collide
        for recipient in range(1, SITES):
            self.exchange_now(0, recipient)

    def teardown(self) -> None:
        for site in getattr(self, "sites", []):
            site.close()
        shutil.rmtree(getattr(self, "folder", ""), ignore_errors=True)

    def _unit(self, session, row_id: str) -> Unit | None:
        return session.get(Unit, uuid.UUID(row_id))

    @rule(site=st.integers(0, SITES - 1), name=NAMES)
    def create(self, site: int, name: str) -> None:
        with self.sites[site].db.session_scope() as session:
            unit = Unit(name=name)
            session.add(unit)
            session.flush()
            self.rows.append(str(unit.id))

    @precondition(lambda self: self.rows)
    @rule(site=st.integers(0, SITES - 1), pick=st.integers(0, 10**6), field=st.sampled_from(["name", "note"]),
          value=NAMES)
    def edit(self, site: int, pick: int, field: str, value: str) -> None:
        with self.sites[site].db.session_scope() as session:
            unit = self._unit(session, self.rows[pick % len(self.rows)])
            # Edits of tombstoned rows too (the GUI forbids them, the core must still converge:
            # such an edit revives the row as a 删除-修改冲突 on every site).
            if unit is not None:
                setattr(unit, field, value)

    @precondition(lambda self: self.rows)
    @rule(pick=st.integers(0, 10**6), first=st.integers(0, SITES - 1), offset=st.integers(1, SITES - 1),
          field=st.sampled_from(["name", "note"]), values=st.tuples(NAMES, NAMES))
    def two_offices_edit_one_field(self, pick: int, first: int, offset: int, field: str,
                                   values: tuple[str, str]) -> None:
        for site, value in ((first, values[0]), ((first + offset) % SITES, values[1] + "（改）")):
            self.edit(site, pick, field, value)

    @precondition(lambda self: self.rows)
    @rule(site=st.integers(0, SITES - 1), pick=st.integers(0, 10**6))
    def delete(self, site: int, pick: int) -> None:
        with self.sites[site].db.session_scope() as session:
            unit = self._unit(session, self.rows[pick % len(self.rows)])
            if unit is not None and not unit.deleted:
                tombstone(session, unit)

    @rule(site=st.integers(0, SITES - 1), text=NAMES)
    def append_progress(self, site: int, text: str) -> None:
        with self.sites[site].db.session_scope() as session:
            session.add(ProgressEntry(measure_id=uuid.UUID(int=1), text=text, period="2024Q1"))

    @rule(site=st.integers(0, SITES - 1), take_first=st.booleans())
    def resolve(self, site: int, take_first: bool) -> None:
        with self.sites[site].db.session_scope() as session:
            conflicts = [c for c in list_conflicts(session) if c.kind == "value"]
            if conflicts:
                event("resolved a conflict")
                chosen = conflicts[0]
                value = chosen.heads[0 if take_first else -1]["value"]
                resolve_conflict(session, chosen.entity, chosen.row_id, chosen.field, value)

    @rule(sender=st.integers(0, SITES - 1), offset=st.integers(1, SITES - 1))
    def export(self, sender: int, offset: int) -> None:
        recipient = (sender + offset) % SITES
        package = self.sites[sender].export_to(self.sites[recipient])
        self.in_flight.append((recipient, package.path))

    @rule(sender=st.integers(0, SITES - 1), offset=st.integers(1, SITES - 1))
    def exchange_now(self, sender: int, offset: int) -> None:
        """Export and import at once: spreads rows so later edits can collide."""
        recipient = (sender + offset) % SITES
        package = self.sites[sender].export_to(self.sites[recipient])
        self.sites[recipient].import_file(package.path)
        self.delivered.append((recipient, package.path))

    @precondition(lambda self: self.in_flight)
    @rule(pick=st.integers(0, 10**6), keep_copy=st.booleans())
    def deliver(self, pick: int, keep_copy: bool) -> None:
        """Any package, in any order; keeping a copy on the stick lets it arrive again later."""
        recipient, path = self.in_flight[pick % len(self.in_flight)] if keep_copy else self.in_flight.pop(
            pick % len(self.in_flight))
        result = self.sites[recipient].import_file(path)
        event(f"import: {result.status}")
        self.delivered.append((recipient, path))

    @precondition(lambda self: self.in_flight)
    @rule(pick=st.integers(0, 10**6))
    def drop(self, pick: int) -> None:
        self.in_flight.pop(pick % len(self.in_flight))

    @precondition(lambda self: self.delivered)
    @rule(pick=st.integers(0, 10**6))
    def reimport_is_a_no_op(self, pick: int) -> None:
        recipient, path = self.delivered[pick % len(self.delivered)]
        site = self.sites[recipient]
        before = site.dump()
        result = site.import_file(path)
        assert result.status in ("duplicate", "stale")
        assert site.dump() == before

    @invariant()
    def conflicts_are_listed_not_hidden(self) -> None:
        for site in getattr(self, "sites", []):
            with site.db.session_scope() as session:
                for conflict in list_conflicts(session):
                    assert len(conflict.heads) >= 2
                    event(f"conflict kind {conflict.kind}")

    def check_convergence(self) -> None:
        for _ in range(2):  # two all-pairs rounds: the first spreads every op, the second every ack
            for sender in range(SITES):
                for recipient in range(SITES):
                    if sender != recipient:
                        package = self.sites[sender].export_to(self.sites[recipient])
                        self.sites[recipient].import_file(package.path)
        dumps = [site.dump() for site in self.sites]
        assert dumps[0] == dumps[1] == dumps[2]
        units = dumps[0]["unit"]
        assert set(units) == set(self.rows)  # nothing lost: every row created anywhere exists everywhere
        event("converged with open conflicts" if dumps[0]["conflicts"] else "converged without conflicts")


class ConvergingSyncMachine(SyncMachine):
    def teardown(self) -> None:
        if hasattr(self, "sites"):
            self.check_convergence()
        super().teardown()


ConvergingSyncMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
test_sites_converge = ConvergingSyncMachine.TestCase
