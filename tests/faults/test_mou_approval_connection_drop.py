"""The database connection drops in the middle of an MOU approval (PostgreSQL): the approval
either fully happens or not at all. Condition cleared <=> MOU approved, never half; afterwards
the approval can simply be run again and yields both.

The connection is really killed: PostgreSQL ends the approving backend (`pg_terminate_backend`,
issued from a second connection) just before the chosen statement reaches it, or, for the kill
at commit, a deferred constraint trigger makes the backend end itself while COMMIT runs. Nothing
of ours is replaced: `connection.execute_wrapper` only watches the SQL go by."""

from __future__ import annotations

import threading
import time

import psycopg2
import pytest
from django.db import DatabaseError, connection
from post_office.models import Email

from applications.models import AwardCondition
from copsgrants.models import AuditEvent
from mou import services
from mou.models import MouElementCheck, MouVersion
from tests.award_states import accepted_award
from tests.conftest import require
from tests.mou.review_helpers import all_present, private_mou, submitted_mou

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["private_mou"]

# (the statement the backend is killed just before, which occurrence of it); in the order the
# approval runs them.
KILL_POINTS = {
    "after the element checks are inserted": ('UPDATE "mou_mouversion"', 1),
    "before the condition update": ('UPDATE "applications_awardcondition"', 1),
    "before the condition's audit event": ('INSERT INTO "copsgrants_auditevent"', 1),
    "before the approval's audit event": ('INSERT INTO "copsgrants_auditevent"', 2),
    "before the email is queued": (f'INSERT INTO "{Email._meta.db_table}"', 1),
}

# Runs when the approving transaction commits (deferred), on the MOU's own row: the backend ends
# itself mid-COMMIT, so the client never hears the commit succeed.
DIE_AT_COMMIT = """
DROP TRIGGER IF EXISTS fault_die_at_commit ON mou_mouversion;
CREATE OR REPLACE FUNCTION fault_die_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'approved' THEN
        PERFORM pg_terminate_backend(pg_backend_pid());
        PERFORM pg_sleep(5);  -- the termination interrupts this sleep
    END IF;
    RETURN NEW;
END $$;
CREATE CONSTRAINT TRIGGER fault_die_at_commit AFTER UPDATE ON mou_mouversion
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fault_die_at_commit();
"""
UNDO_DIE_AT_COMMIT = """
DROP TRIGGER IF EXISTS fault_die_at_commit ON mou_mouversion;
DROP FUNCTION IF EXISTS fault_die_at_commit();
"""


def other_connection():
    """A connection of the test's own, outside Django, to the same database."""
    conn = psycopg2.connect(**connection.get_connection_params())
    conn.autocommit = True
    return conn


def backend_alive(pid: int) -> bool:
    with other_connection() as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] == 1


def terminate(pid: int) -> None:
    conn = other_connection()
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone()[0] is True
    finally:
        conn.close()
    deadline = time.monotonic() + 10
    while backend_alive(pid):
        assert time.monotonic() < deadline, f"backend {pid} outlived pg_terminate_backend"
        time.sleep(0.05)


class KillBefore:
    """An execute wrapper that terminates this connection's backend just before the
    `occurrence`th statement starting with `prefix` is sent."""

    def __init__(self, prefix: str, occurrence: int) -> None:
        self.prefix, self.occurrence = prefix, occurrence
        self.seen = 0
        self.killed_pid: int | None = None
        self.statements: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append(sql.split(" (")[0][:60])
        if sql.startswith(self.prefix):
            self.seen += 1
            if self.seen == self.occurrence:
                self.killed_pid = context["connection"].connection.get_backend_pid()
                terminate(self.killed_pid)
        return execute(sql, params, many, context)


def approve_in_a_thread(mou, by, wrapper=None) -> dict:
    """Run approve_mou on a connection of its own; what it returned or raised, and its pid."""
    outcome: dict = {}

    def run() -> None:
        try:
            connection.ensure_connection()
            outcome["pid"] = connection.connection.get_backend_pid()
            if wrapper is None:
                outcome["result"] = services.approve_mou(mou=mou, by=by, checks=all_present())
            else:
                with connection.execute_wrapper(wrapper):
                    outcome["result"] = services.approve_mou(mou=mou, by=by, checks=all_present())
        except Exception as error:  # the test inspects it
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the approval never finished"
    return outcome


@pytest.fixture
def mou(agency, applicant, member, private_mou):
    require(connection.vendor == "postgresql", "PostgreSQL")
    award = accepted_award(agency, letter=False)
    return submitted_mou(award, by=applicant)


def condition(mou) -> AwardCondition:
    return AwardCondition.objects.get(award=mou.award, code=AwardCondition.Code.SRO_MOU)


def assert_not_approved_at_all(mou) -> None:
    mou.refresh_from_db()
    assert mou.status == MouVersion.Status.SUBMITTED
    assert mou.decided_by is None and mou.decided_at is None
    assert condition(mou).cleared_at is None
    assert not MouElementCheck.objects.filter(mou=mou).exists()
    assert not AuditEvent.objects.filter(verb__in=["mou.approved", "condition.cleared"]).exists()
    assert not Email.objects.exists()


def assert_fully_approved(mou, by) -> None:
    mou.refresh_from_db()
    assert mou.status == MouVersion.Status.APPROVED and mou.decided_by == by
    assert condition(mou).cleared_at is not None and condition(mou).cleared_by == by
    assert MouElementCheck.objects.filter(mou=mou).count() == len(all_present())
    assert AuditEvent.objects.filter(verb="mou.approved").count() == 1
    assert AuditEvent.objects.filter(verb="condition.cleared").count() == 1
    assert Email.objects.filter(subject__icontains="MOU").count() == 1


def assert_approved_iff_cleared(mou) -> None:
    mou.refresh_from_db()
    approved = mou.status == MouVersion.Status.APPROVED
    assert approved == (condition(mou).cleared_at is not None)


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_a_connection_killed_mid_approval_leaves_nothing_and_the_approval_can_be_rerun(
    mou, program_specialist, point
):
    killer = KillBefore(*KILL_POINTS[point])

    outcome = approve_in_a_thread(mou, program_specialist, killer)

    # The fault really happened: the backend is gone and the approval saw its connection fail.
    assert killer.killed_pid == outcome["pid"], killer.statements
    assert not backend_alive(killer.killed_pid)
    assert isinstance(outcome.get("error"), DatabaseError), outcome
    assert_approved_iff_cleared(mou)
    assert_not_approved_at_all(mou)

    again = approve_in_a_thread(mou, program_specialist)
    assert "error" not in again, again
    assert_approved_iff_cleared(mou)
    assert_fully_approved(mou, program_specialist)


@pytest.fixture
def die_at_commit(mou):
    with connection.cursor() as cursor:
        cursor.execute(DIE_AT_COMMIT)
    yield
    with connection.cursor() as cursor:
        cursor.execute(UNDO_DIE_AT_COMMIT)


def test_a_connection_killed_at_commit_leaves_nothing_and_the_approval_can_be_rerun(
    mou, program_specialist, die_at_commit
):
    outcome = approve_in_a_thread(mou, program_specialist)

    assert isinstance(outcome.get("error"), DatabaseError), outcome
    assert "terminating connection" in str(outcome["error"]) or "closed" in str(outcome["error"])
    assert not backend_alive(outcome["pid"])
    assert_approved_iff_cleared(mou)
    assert_not_approved_at_all(mou)

    with connection.cursor() as cursor:
        cursor.execute(UNDO_DIE_AT_COMMIT)
    again = approve_in_a_thread(mou, program_specialist)
    assert "error" not in again, again
    assert_approved_iff_cleared(mou)
    assert_fully_approved(mou, program_specialist)
