from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.apps import apps as django_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from applications.demo import ALL_SECTIONS, COMPLETE_ANSWERS, SCHOOL_PARTNER
from applications.models import (
    Agency,
    AgencyType,
    Application,
    Membership,
    SchoolPartner,
    Solicitation,
)
from copsgrants.models import User
from copsgrants.roles import role_permissions

PASSWORD = "correct-horse-battery-staple"


def role_groups(names: list[str]) -> list[Group]:
    """The staff role groups, with their permissions. Migrations create them, but a
    transactional test (the browser tests' live server) flushes the database afterwards: then
    they are made again here, with exactly the permissions the apps declare."""
    groups = list(Group.objects.filter(name__in=names, permissions__isnull=False).distinct())
    if len(groups) == len(set(names)):
        return groups
    for config in django_apps.get_app_configs():
        create_permissions(config, verbosity=0)
    for role, perms in role_permissions().items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(
            Permission.objects.get(content_type__app_label=label, codename=codename)
            for label, codename in (dotted.split(".") for dotted in perms)
        )
    return list(Group.objects.filter(name__in=names))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@agency.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)
    email_verified_at = factory.LazyFunction(timezone.now)

    class Params:
        # Signed up but has not opened the confirmation link yet.
        unverified = factory.Trait(email_verified_at=None)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs) -> None:
        if create and extracted:
            self.is_staff = True
            self.save(update_fields=["is_staff", "password"])
            self.groups.add(*role_groups(extracted))
        elif create:
            self.save(update_fields=["password"])


_STATES = ["IL", "WA", "VA", "TX", "OH", "NY", "CA", "GA"]


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    legal_name = factory.Sequence(lambda n: f"Town {n} Police Department")
    state = factory.Sequence(lambda n: _STATES[n % len(_STATES)])
    ori = factory.LazyAttributeSequence(lambda o, n: f"{o.state}{n:05d}")
    uei = factory.Sequence(lambda n: f"UEI{n:09d}")
    agency_type = AgencyType.MUNICIPAL
    jurisdiction_population = 52_000
    sworn_force_actual = 80
    sworn_force_budgeted = 85
    address_line1 = "100 Main St"
    city = "Centerville"
    zip_code = "62701"
    le_executive_name = "Jamie Chief"
    le_executive_title = "Chief of Police"
    le_executive_email = "chief@town.example"
    le_executive_phone = "217-555-0100"
    gov_executive_name = "Robin Mayor"
    gov_executive_title = "Mayor"
    gov_executive_email = "mayor@town.example"
    gov_executive_phone = "217-555-0101"
    # Most tests are about agencies COPS has already verified; `pending=True` for a new one.
    verification_status = Agency.Verification.VERIFIED
    verified_at = factory.LazyFunction(timezone.now)
    verification_note = "ORI on the FBI list; UEI active in SAM.gov."

    class Params:
        pending = factory.Trait(
            verification_status=Agency.Verification.PENDING, verified_at=None, verification_note=""
        )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    status = Membership.Status.ACTIVE

    class Params:
        pending = factory.Trait(status=Membership.Status.PENDING)
        administrator = factory.Trait(is_administrator=True)
        authorized_representative = factory.Trait(is_authorized_representative=True)


class SolicitationFactory(factory.django.DjangoModelFactory):
    """An open FY2026 solicitation with the FY2014-17 officer cap rules (5% of force, max 15)."""

    class Meta:
        model = Solicitation

    code = factory.Sequence(lambda n: f"O-COPS-2026-CHP-{n}")
    title = "FY26 COPS Hiring Program (CHP)"
    fiscal_year = 2026
    is_published = True
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    total_funds = Decimal("156000000.00")
    officer_cap_percent = Decimal("5")
    officer_cap_max = 15
    officer_cap_max_large = 25
    award_ceiling = Decimal("6250000.00")

    class Params:
        closed = factory.Trait(
            opens_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=60)),
            closes_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
        )


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    solicitation = factory.SubFactory(SolicitationFactory)

    class Params:
        # Every section answered and valid, committing 2 of 3 positions as SROs.
        complete = factory.Trait(
            section_versions=factory.LazyFunction(lambda: dict.fromkeys(ALL_SECTIONS, 1)),
            school_partner=factory.RelatedFactory(
                "tests.factories.SchoolPartnerFactory", factory_related_name="application"
            ),
            **COMPLETE_ANSWERS,
        )
        submitted = factory.Trait(
            complete=True,
            status=Application.Status.SUBMITTED,
            submitted_at=factory.LazyFunction(timezone.now),
            tracking_number=factory.Sequence(lambda n: f"CHP26-{900000 + n:06d}"),
            certified_name="Alex Rivera",
        )


class SchoolPartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolPartner

    application = factory.SubFactory(ApplicationFactory)
    district_name = SCHOOL_PARTNER["district_name"]
    schools = SCHOOL_PARTNER["schools"]
    contact_name = SCHOOL_PARTNER["contact_name"]
    contact_title = SCHOOL_PARTNER["contact_title"]
    contact_email = SCHOOL_PARTNER["contact_email"]
    contact_phone = SCHOOL_PARTNER["contact_phone"]
