from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from applications.models import Agency, AgencyType, Membership
from copsgrants.models import User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@agency.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs) -> None:
        if create and extracted:
            self.is_staff = True
            self.save(update_fields=["is_staff", "password"])
            self.groups.add(*Group.objects.filter(name__in=extracted))
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
