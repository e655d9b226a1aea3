"""The benchmark's data at scale: SCALE synthetic applications in the current solicitation
(seed_synthetic), scored, planned and awarded through the services (timed), the plan approved and
released in bulk, then the awards accepted, their MOUs uploaded and
their officers enrolled in training in bulk.

The last three steps write rows directly (bulk_create/update), as seed_synthetic does: hundreds
of signatures, uploads and enrollments through the services would take longer than the whole
benchmark, and synthetic data needs no audit trail. The rows are what the pages read."""

from __future__ import annotations

import hashlib
import io
import time
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

BATCH = 1_000


def timed(action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def seed_scale(*, scale: int, code: str, manager, approver) -> dict[str, float]:
    """Seed and return the service timings: {"compute_scores": s, "draft_funding_plan": s, ...}."""
    from applications import services
    from applications.models import Solicitation

    solicitation = Solicitation.objects.get(code=code)
    timings: dict[str, float] = {}
    timings["seed_synthetic"], _ = timed(
        lambda: call_command(
            "seed_synthetic",
            "--applications",
            str(scale),
            "--solicitation",
            code,
            "--reviewed",
            stdout=io.StringIO(),
        )
    )
    timings["compute_scores"], _ = timed(
        lambda: services.compute_scores(solicitation=solicitation, by=manager)
    )
    timings["draft_funding_plan"], plan = timed(
        lambda: services.draft_funding_plan(solicitation=solicitation, by=manager)
    )
    timings["approve + release (bulk)"], plan = timed(lambda: _decide(plan, approver))
    timings["make_awards"], awards = timed(lambda: services.make_awards(plan=plan, by=manager))
    timings["accept_mou_enroll (bulk)"], _ = timed(lambda: _implement(awards, manager))
    return timings


def _decide(plan, approver):
    """The plan approved and its decisions released, in bulk: through the services this writes
    an audit event, a history row and an email for each of the 10,000 applications (minutes),
    and none of it is what the benchmark measures."""
    from applications.models import Application, FundingPlan

    now = timezone.now()
    funded = plan.lines.filter(positions_funded__gt=0).values("application_id")
    applications = Application.objects.filter(pk__in=plan.lines.values("application_id"))
    applications.filter(pk__in=funded).update(
        status=Application.Status.RECOMMENDED, decision_released_at=now
    )
    applications.exclude(pk__in=funded).update(
        status=Application.Status.NOT_SELECTED, decision_released_at=now
    )
    FundingPlan.objects.filter(pk=plan.pk).update(
        status=FundingPlan.Status.RELEASED,
        approved_at=now,
        approved_by=approver,
        released_at=now,
        released_by=approver,
    )
    plan.refresh_from_db()
    return plan


def _implement(awards, manager) -> None:
    """Awards accepted with a ready letter row, an MOU version for each SRO award (one shared
    stored file), and four officers per SRO award enrolled in the Basic SRO sessions."""
    from applications.models import Award, AwardLetter
    from mou.models import MouVersion
    from training.models import Course, CourseSession, Enrollment, Officer

    now = timezone.now()
    ids = [award.pk for award in awards]
    Award.objects.filter(pk__in=ids).update(status=Award.Status.ACCEPTED, accepted_at=now)
    # Each letter points at the demo's rendered Springfield letter (one file, its hash): the
    # benchmark downloads letters, it does not render 400 of them here.
    model = AwardLetter.objects.filter(status=AwardLetter.Status.READY).first()
    AwardLetter.objects.filter(award_id__in=ids).update(
        status=AwardLetter.Status.READY,
        letter_date=timezone.localdate(),
        rendered_at=now,
        file=model.file.name,
        sha256=model.sha256,
        pages=model.pages,
    )
    sro = [award for award in awards if award.is_sro]
    pdf = b"%PDF-1.4\n% synthetic MOU for the benchmark\n%%EOF\n"
    stored = MouVersion._meta.get_field("file").storage.save("mou/bench.pdf", ContentFile(pdf))
    MouVersion.objects.bulk_create(
        [
            MouVersion(
                award=award,
                version=1,
                school_district="Synthetic Unified School District",
                schools="Synthetic High School",
                agency_signatory="Jamie Chief",
                agency_signed_on=date(2026, 9, 1),
                school_signatory="Pat Superintendent",
                school_signed_on=date(2026, 9, 2),
                file=stored,
                original_name="mou.pdf",
                size=len(pdf),
                sha256=hashlib.sha256(pdf).hexdigest(),
                pages=1,
                uploaded_by=manager,
            )
            for award in sro
        ],
        batch_size=BATCH,
    )
    officers = Officer.objects.bulk_create(
        [
            Officer(
                agency_id=award.agency_id,
                first_name="Synthetic",
                last_name=f"Officer {n}",
                email=f"officer{n}.{award.agency_id}@synthetic.example",
                badge_number=f"S{n:04d}",
            )
            for award in sro
            for n in range(1, 5)
        ],
        batch_size=BATCH,
    )
    course = Course.objects.get(code="basic-sro")
    starts = timezone.localdate() + timedelta(days=60)
    sessions = CourseSession.objects.bulk_create(
        [
            CourseSession(
                course=course,
                starts_on=starts + timedelta(days=7 * n),
                ends_on=starts + timedelta(days=7 * n + 4),
                city="Springfield",
                state="IL",
                capacity=40,
                registration_opens_at=now - timedelta(days=1),
                registration_closes_at=now + timedelta(days=45),
                status=CourseSession.Status.SCHEDULED,
            )
            for n in range(len(officers) // 40 + 1)
        ]
    )
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                session=sessions[n // 40],
                officer=officer,
                status=Enrollment.Status.ENROLLED,
                queue_number=n % 40 + 1,
                requested_by=manager,
            )
            for n, officer in enumerate(officers)
        ],
        batch_size=BATCH,
    )
