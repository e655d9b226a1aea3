"""`manage.py seed_synthetic --applications N --solicitation CODE [--reviewed]`: N submitted
applications from N new agencies spread evenly over the 50 states and DC, for benchmarks and
scale tests.

Rows are written with bulk_create, not through the services: 10,000 applications must take
seconds, and synthetic data needs neither audit events nor field history (so it has none). The
figures are drawn from a seeded random generator, so a run is reproducible. `--reviewed` also
screens them eligible and gives each two submitted reviews from two synthetic reviewers, ready for
`compute_scores`.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from applications.checks import profile_from_agency
from applications.demo import ALL_SECTIONS, COMPLETE_ANSWERS, SCHOOL_PARTNER
from applications.models import (
    Agency,
    AgencyType,
    Application,
    Membership,
    Review,
    ReviewAssignment,
    SchoolPartner,
    ScoringRules,
    Solicitation,
)
from applications.states import State
from copsgrants import roles
from copsgrants.models import User

# The 50 states and the District of Columbia: the territories are eligible but rarely apply.
STATES = [s.value for s in State if s.value not in {"AS", "GU", "MP", "PR", "VI"}]
# Synthetic ORIs are <state>9xxxx: clear of the demo's and most real ones, 10,000 per state.
ORI_BASE = 90_000
MAX_PER_STATE = 10_000
BATCH = 1_000


def _solicitation(code: str) -> tuple[Solicitation, bool]:
    """The named solicitation, or a new closed one in review (with scoring rules v1)."""
    solicitation = Solicitation.objects.filter(code=code).first()
    if solicitation is not None:
        return solicitation, False
    now = timezone.now()
    solicitation = Solicitation.objects.create(
        code=code,
        title=f"Synthetic {code}",
        fiscal_year=now.year,
        is_published=True,
        opens_at=now - timedelta(days=120),
        closes_at=now - timedelta(days=30),
        total_funds=Decimal("156000000.00"),
        award_ceiling=Decimal("6250000.00"),
    )
    ScoringRules.objects.create(solicitation=solicitation, version=1, in_force=True)
    return solicitation, True


def _figures(rng: random.Random) -> dict:
    """Plausible, varied figures for one agency's application."""
    population = rng.randint(5_000, 600_000)
    sworn = max(5, round(population * rng.uniform(1.2, 3.2) / 1000))
    positions = rng.randint(1, 6)
    sro = rng.random() < 0.5
    return {
        "agency": {
            "jurisdiction_population": population,
            "sworn_force_actual": sworn,
            "sworn_force_budgeted": sworn + rng.randint(0, 8),
        },
        "answers": COMPLETE_ANSWERS
        | {
            "positions_new_hire": positions,
            "positions_rehire_laid_off": 0,
            "sro_commitment": sro,
            "sro_positions": rng.randint(1, positions) if sro else None,
            "sro_time_assurance": sro,
            "veteran_commitment": rng.random() < 0.4,
            "budget_change_percent": Decimal(rng.randint(-1500, 500)) / 100,
            "unemployment_rate": Decimal(rng.randint(200, 1200)) / 100,
            "poverty_rate": Decimal(rng.randint(500, 3000)) / 100,
            "violent_crimes": round(population * rng.uniform(1, 9) / 1000),
            "property_crimes": round(population * rng.uniform(10, 40) / 1000),
        },
    }


def _reviewers() -> list[User]:
    group = Group.objects.get(name=roles.REVIEWER)
    reviewers = []
    for n in (1, 2):
        user, created = User.objects.get_or_create(
            email=f"reviewer{n}@synthetic.test",
            defaults={"first_name": "Synthetic", "last_name": f"Reviewer {n}", "is_staff": True},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(group)
        reviewers.append(user)
    return reviewers


def seed_synthetic(
    *, count: int, solicitation: Solicitation, reviewed: bool = False, seed: int = 7
) -> list[Application]:
    """Create `count` agencies (each with a representative) and their submitted applications."""
    offset = Agency.objects.filter(uei__startswith="SYN").count()
    if (offset + count) // len(STATES) >= MAX_PER_STATE:
        raise CommandError(f"At most {MAX_PER_STATE * len(STATES):,} synthetic agencies.")
    rng = random.Random(seed + offset)
    now = timezone.now()
    numbers = range(offset, offset + count)
    figures = [_figures(rng) for _ in numbers]
    agencies = [
        Agency(
            legal_name=f"Synthetic Town {n} Police Department",
            state=STATES[n % len(STATES)],
            ori=f"{STATES[n % len(STATES)]}{ORI_BASE + n // len(STATES):05d}",
            uei=f"SYN{n:09d}",
            agency_type=AgencyType.MUNICIPAL,
            address_line1=f"{n % 900 + 100} Main St",
            city=f"Town {n}",
            zip_code="62701",
            le_executive_name="Jamie Chief",
            le_executive_title="Chief of Police",
            le_executive_email=f"chief{n}@synthetic.example",
            le_executive_phone="217-555-0100",
            gov_executive_name="Robin Mayor",
            gov_executive_title="Mayor",
            gov_executive_email=f"mayor{n}@synthetic.example",
            gov_executive_phone="217-555-0101",
            verification_status=Agency.Verification.VERIFIED,
            verified_at=now,
            verification_note="Synthetic agency (seed_synthetic).",
            **figure["agency"],
        )
        for n, figure in zip(numbers, figures, strict=True)
    ]
    users = [
        User(
            email=f"rep{n}@synthetic.test",
            first_name="Synthetic",
            last_name=f"Rep {n}",
            email_verified_at=now,
        )
        for n in numbers
    ]
    for user in users:
        user.set_unusable_password()
    with transaction.atomic():
        agencies = Agency.objects.bulk_create(agencies, batch_size=BATCH)
        users = User.objects.bulk_create(users, batch_size=BATCH)
        Membership.objects.bulk_create(
            [
                Membership(
                    user=user,
                    agency=agency,
                    status=Membership.Status.ACTIVE,
                    is_authorized_representative=True,
                    is_administrator=True,
                    decided_at=now,
                )
                for user, agency in zip(users, agencies, strict=True)
            ],
            batch_size=BATCH,
        )
        window = max(solicitation.closes_at - solicitation.opens_at, timedelta(minutes=1))
        status = Application.Status.UNDER_REVIEW if reviewed else Application.Status.SUBMITTED
        applications = Application.objects.bulk_create(
            [
                Application(
                    agency=agency,
                    solicitation=solicitation,
                    status=status,
                    created_by=user,
                    submitted_by=user,
                    submitted_at=solicitation.opens_at + window * rng.random(),
                    certified_name=user.get_full_name(),
                    agency_profile=profile_from_agency(agency),
                    section_versions=dict.fromkeys(ALL_SECTIONS, 1),
                    screened_at=now if reviewed else None,
                    **figure["answers"],
                )
                for agency, user, figure in zip(agencies, users, figures, strict=True)
            ],
            batch_size=BATCH,
        )
        for application in applications:
            application.tracking_number = Application.format_tracking_number(
                fiscal_year=solicitation.fiscal_year, pk=application.pk
            )
        Application.objects.bulk_update(applications, ["tracking_number"], batch_size=BATCH)
        SchoolPartner.objects.bulk_create(
            [
                SchoolPartner(application=application, **SCHOOL_PARTNER)
                for application in applications
                if application.sro_commitment
            ],
            batch_size=BATCH,
        )
        if reviewed:
            _review(applications, solicitation, rng)
    return applications


def _review(applications: list[Application], solicitation: Solicitation, rng) -> None:
    """Two certified assignments per application, each with a submitted rubric review."""
    rules = ScoringRules.objects.in_force().get(solicitation=solicitation)
    now = timezone.now()
    reviewers = _reviewers()
    assignments = ReviewAssignment.objects.bulk_create(
        [
            ReviewAssignment(application=application, reviewer=reviewer, coi_certified_at=now)
            for application in applications
            for reviewer in reviewers
        ],
        batch_size=BATCH,
    )
    Review.objects.bulk_create(
        [
            Review(
                assignment=assignment,
                rules=rules,
                status=Review.Status.SUBMITTED,
                submitted_at=now,
                scores={
                    criterion["key"]: {
                        "score": rng.randint(criterion["min"], criterion["max"]),
                        "comment": "",
                    }
                    for criterion in rules.rubric
                },
            )
            for assignment in assignments
        ],
        batch_size=BATCH,
    )


class Command(BaseCommand):
    help = "Create N submitted applications across the 50 states and DC (benchmarks, scale tests)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--applications", type=int, required=True, metavar="N")
        parser.add_argument(
            "--solicitation", required=True, metavar="CODE",
            help="Its code; created (closed, in review) when there is none.",
        )  # fmt: skip
        parser.add_argument(
            "--reviewed", action="store_true",
            help="Screen them eligible and add two submitted reviews each.",
        )  # fmt: skip
        parser.add_argument("--seed", type=int, default=7, help="Random seed for the figures.")

    def handle(self, *args, **options) -> None:
        count = options["applications"]
        if count < 1:
            raise CommandError("--applications must be at least 1.")
        solicitation, created = _solicitation(options["solicitation"])
        if created:
            self.stdout.write(f"solicitation {solicitation.code} created")
        started = timezone.now()
        seed_synthetic(
            count=count, solicitation=solicitation, reviewed=options["reviewed"],
            seed=options["seed"],
        )  # fmt: skip
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(
            f"{count} submitted applications across the 50 states and DC "
            f"for {solicitation.code} in {seconds:.1f} s"
        )
