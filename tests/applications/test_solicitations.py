"""Solicitations: rules freeze once a published solicitation opens; scoring rules are versioned,
never edited, and exactly one version is in force; the public pages show only what is published."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, ScoringRules, Solicitation
from applications.models.solicitations import default_rubric
from tests.factories import ApplicationFactory, MembershipFactory, SolicitationFactory, UserFactory

pytestmark = pytest.mark.django_db

# A changed value for every rule; a rule added to RULE_FIELDS without one here fails the tests.
RULE_CHANGES = {
    "federal_share_percent": Decimal("80.00"),
    "per_officer_cap": Decimal("150000.00"),
    "funded_months": 24,
    "project_period_months": 48,
    "retention_months": 24,
    "officer_cap_percent": Decimal("10.00"),
    "officer_cap_max": 20,
    "officer_cap_max_large": 30,
    "large_population_threshold": 500_000,
    "small_force_threshold": 10,
    "award_ceiling": Decimal("5000000.00"),
    "partial_waiver_federal_percent": Decimal("85.00"),
    "full_waiver_federal_percent": Decimal("95.00"),
    "all_positions_sro": True,
    "waiver_lifts_officer_cap": False,
    "opens_at": timezone.now() - timedelta(days=20),
    "closes_at": timezone.now() + timedelta(days=90),
    "total_funds": Decimal("1000.00"),
}


def not_yet_open(**kwargs) -> Solicitation:
    return SolicitationFactory(
        opens_at=timezone.now() + timedelta(days=5),
        closes_at=timezone.now() + timedelta(days=40),
        **kwargs,
    )


def test_every_rule_field_has_a_change_to_try():
    assert set(RULE_CHANGES) == set(Solicitation.RULE_FIELDS)


# Rules freeze once published and open ------------------------------------------------------------


@pytest.mark.parametrize("field", Solicitation.RULE_FIELDS)
def test_a_rule_of_a_published_solicitation_that_has_opened_cannot_change(field):
    solicitation = SolicitationFactory()
    assert solicitation.rules_frozen
    setattr(solicitation, field, RULE_CHANGES[field])
    with pytest.raises(ValidationError) as excinfo:
        solicitation.full_clean()
    message = " ".join(excinfo.value.messages)
    assert "cannot change" in message
    assert str(Solicitation._meta.get_field(field).verbose_name) in message


def test_a_frozen_solicitation_names_every_rule_that_was_changed():
    solicitation = SolicitationFactory()
    solicitation.per_officer_cap = Decimal("1")
    solicitation.award_ceiling = None
    with pytest.raises(ValidationError) as excinfo:
        solicitation.full_clean()
    message = " ".join(excinfo.value.messages)
    assert "federal cap per officer" in message
    assert "award ceiling" in message
    assert "Publish a new solicitation instead" in message


def test_a_frozen_solicitation_may_still_change_its_title_and_summary():
    solicitation = SolicitationFactory()
    solicitation.title = "FY26 CHP (corrected title)"
    solicitation.summary = "A clearer summary."
    solicitation.full_clean()  # no error
    solicitation.save()
    solicitation.refresh_from_db()
    assert solicitation.title == "FY26 CHP (corrected title)"


@pytest.mark.parametrize("field", Solicitation.RULE_FIELDS)
def test_rules_of_an_unpublished_solicitation_can_change_even_after_its_opening_date(field):
    solicitation = SolicitationFactory(is_published=False)
    assert solicitation.opens_at < timezone.now()
    setattr(solicitation, field, RULE_CHANGES[field])
    solicitation.full_clean()
    solicitation.save()
    solicitation.refresh_from_db()
    assert getattr(solicitation, field) == RULE_CHANGES[field]


@pytest.mark.parametrize("field", ["per_officer_cap", "federal_share_percent", "award_ceiling"])
def test_rules_of_a_published_solicitation_that_has_not_opened_can_change(field):
    solicitation = not_yet_open()
    assert solicitation.is_published and not solicitation.rules_frozen
    setattr(solicitation, field, RULE_CHANGES[field])
    solicitation.full_clean()
    solicitation.save()
    solicitation.refresh_from_db()
    assert getattr(solicitation, field) == RULE_CHANGES[field]


def test_an_opened_solicitation_cannot_be_unpublished():
    solicitation = SolicitationFactory()
    solicitation.is_published = False
    with pytest.raises(ValidationError, match="cannot be unpublished"):
        solicitation.full_clean()


def test_a_published_solicitation_that_has_not_opened_can_be_unpublished():
    solicitation = not_yet_open()
    solicitation.is_published = False
    solicitation.full_clean()


@pytest.mark.parametrize("gap", [timedelta(0), timedelta(hours=-1)])
def test_the_deadline_must_be_after_the_opening(gap):
    opens = timezone.now() + timedelta(days=3)
    solicitation = SolicitationFactory.build(
        is_published=False, opens_at=opens, closes_at=opens + gap
    )
    with pytest.raises(ValidationError) as excinfo:
        solicitation.full_clean()
    assert excinfo.value.message_dict["closes_at"] == [
        "The deadline must be after the opening date."
    ]


@pytest.mark.parametrize("gap", [timedelta(0), timedelta(hours=-1)])
def test_the_database_refuses_a_deadline_that_is_not_after_the_opening(gap):
    opens = timezone.now() + timedelta(days=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        SolicitationFactory(is_published=False, opens_at=opens, closes_at=opens + gap)
    solicitation = SolicitationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Solicitation.objects.filter(pk=solicitation.pk).update(closes_at=solicitation.opens_at)


# Solicitations in the admin ----------------------------------------------------------------------


def local(value: datetime) -> tuple[str, str]:
    value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d"), value.strftime("%H:%M:%S")


def plain(value) -> str:
    return "" if value is None else str(value)


def admin_post_data(solicitation: Solicitation, **changes) -> dict[str, str]:
    """What the admin change form posts for `solicitation`, with `changes` applied."""
    values = {
        name: getattr(solicitation, name)
        for name in ("code", "title", "fiscal_year", "summary", "is_published",
                     *Solicitation.RULE_FIELDS)
    } | changes  # fmt: skip
    data = {}
    for name, value in values.items():
        if name in ("opens_at", "closes_at"):
            data[f"{name}_0"], data[f"{name}_1"] = local(value)
        elif name == "is_published":
            if value:
                data[name] = "on"
        else:
            data[name] = plain(value)
    count = str(solicitation.scoring_rules.count())
    data |= {
        "scoring_rules-TOTAL_FORMS": count,
        "scoring_rules-INITIAL_FORMS": count,
        "scoring_rules-MIN_NUM_FORMS": "0",
        "scoring_rules-MAX_NUM_FORMS": "1000",
    }
    return data


def change_url(solicitation: Solicitation) -> str:
    return reverse("admin:applications_solicitation_change", args=[solicitation.pk])


def test_the_admin_shows_a_frozen_solicitations_rules_read_only(signed_in, grants_manager):
    solicitation = SolicitationFactory()
    html = signed_in(grants_manager).get(change_url(solicitation)).text
    for field in (*Solicitation.RULE_FIELDS, "is_published"):
        assert f'name="{field}"' not in html
        assert f'name="{field}_0"' not in html
    assert 'name="title"' in html


def test_posting_changed_rules_of_a_frozen_solicitation_through_the_admin_changes_only_the_rest(
    signed_in, grants_manager
):
    solicitation = SolicitationFactory()
    before = {f: getattr(solicitation, f) for f in Solicitation.RULE_FIELDS}
    data = admin_post_data(solicitation, **RULE_CHANGES, title="Corrected title")
    data.pop("is_published")  # an attempt to unpublish it as well
    response = signed_in(grants_manager).post(change_url(solicitation), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    solicitation.refresh_from_db()
    assert solicitation.title == "Corrected title"
    assert solicitation.is_published
    assert {f: getattr(solicitation, f) for f in Solicitation.RULE_FIELDS} == before


@pytest.mark.parametrize(
    "make", [lambda: SolicitationFactory(is_published=False), not_yet_open],
    ids=["unpublished", "not yet open"],
)  # fmt: skip
def test_the_admin_changes_the_rules_of_a_solicitation_that_is_not_frozen(
    signed_in, grants_manager, make
):
    solicitation = make()
    data = admin_post_data(
        solicitation, per_officer_cap=Decimal("99000.00"), award_ceiling=Decimal("4000000.00")
    )
    response = signed_in(grants_manager).post(change_url(solicitation), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    solicitation.refresh_from_db()
    assert solicitation.per_officer_cap == Decimal("99000.00")
    assert solicitation.award_ceiling == Decimal("4000000.00")


def test_the_admin_refuses_a_deadline_before_the_opening(signed_in, grants_manager):
    solicitation = not_yet_open()
    data = admin_post_data(solicitation, closes_at=solicitation.opens_at - timedelta(days=1))
    response = signed_in(grants_manager).post(change_url(solicitation), data)
    assert response.status_code == 200
    assert "The deadline must be after the opening date." in response.text
    closes_at = solicitation.closes_at
    solicitation.refresh_from_db()
    assert solicitation.closes_at == closes_at


def test_a_program_specialist_can_view_but_not_change_a_solicitation(signed_in, program_specialist):
    solicitation = SolicitationFactory(is_published=False)
    client = signed_in(program_specialist)
    assert client.get(change_url(solicitation)).status_code == 200
    data = admin_post_data(solicitation, title="Changed")
    assert client.post(change_url(solicitation), data).status_code == 403
    solicitation.refresh_from_db()
    assert solicitation.title != "Changed"


# Scoring rules -----------------------------------------------------------------------------------


def weights(fiscal="50", crime="25", community="25") -> dict[str, str]:
    return {
        "fiscal_need_weight": fiscal,
        "crime_weight": crime,
        "community_policing_weight": community,
        "sro_bonus_points": "5",
        "veteran_bonus_points": "2",
        "notes": "",
    }


def add_rules(client, solicitation, **kwargs):
    return client.post(
        reverse("admin:applications_scoringrules_add"),
        {
            "solicitation": solicitation.pk,
            "reviews_required": "2",
            "rubric": json.dumps(default_rubric()),
            **weights(**kwargs),
        },
    )


def test_scoring_rules_added_in_the_admin_are_numbered_1_2_3(signed_in, grants_manager):
    solicitation = SolicitationFactory()
    other = SolicitationFactory()
    client = signed_in(grants_manager)
    for fiscal, crime in (("50", "25"), ("40", "35"), ("60", "15")):
        assert add_rules(client, solicitation, fiscal=fiscal, crime=crime).status_code == 302
    assert add_rules(client, other).status_code == 302
    versions = ScoringRules.objects.filter(solicitation=solicitation).order_by("version")
    assert [(r.version, r.fiscal_need_weight) for r in versions] == [
        (1, Decimal("50")), (2, Decimal("40")), (3, Decimal("60")),
    ]  # fmt: skip
    assert all(r.created_by == grants_manager and not r.in_force for r in versions)
    assert ScoringRules.objects.get(solicitation=other).version == 1


def test_the_version_cannot_be_chosen_in_the_add_form(signed_in, grants_manager):
    solicitation = SolicitationFactory()
    client = signed_in(grants_manager)
    response = client.post(
        reverse("admin:applications_scoringrules_add"),
        {
            "solicitation": solicitation.pk,
            "version": "7",
            "in_force": "on",
            "reviews_required": "2",
            "rubric": json.dumps(default_rubric()),
            **weights(),
        },
    )
    assert response.status_code == 302
    rules = ScoringRules.objects.get(solicitation=solicitation)
    assert (rules.version, rules.in_force) == (1, False)


def test_the_admin_refuses_weights_that_do_not_add_up_to_100(signed_in, grants_manager):
    solicitation = SolicitationFactory()
    response = add_rules(signed_in(grants_manager), solicitation, fiscal="60", crime="30")
    assert response.status_code == 200
    assert "The three weights must add up to 100 (they add up to 115" in response.text
    assert not ScoringRules.objects.exists()


def test_a_program_specialist_cannot_add_scoring_rules(signed_in, program_specialist):
    solicitation = SolicitationFactory()
    assert add_rules(signed_in(program_specialist), solicitation).status_code == 403
    assert not ScoringRules.objects.exists()


def rules_for(solicitation, version, **kwargs) -> ScoringRules:
    return ScoringRules.objects.create(solicitation=solicitation, version=version, **kwargs)


@pytest.mark.parametrize("as_superuser", [False, True], ids=["grants manager", "superuser"])
def test_a_scoring_rules_version_cannot_be_changed_or_deleted(
    signed_in, grants_manager, as_superuser
):
    user = UserFactory(is_staff=True, is_superuser=True) if as_superuser else grants_manager
    rules = rules_for(SolicitationFactory(), 1)
    client = signed_in(user)
    url = reverse("admin:applications_scoringrules_change", args=[rules.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="crime_weight"' not in response.text  # shown read-only
    response = client.post(
        url, {"solicitation": rules.solicitation_id, **weights(fiscal="40", crime="35")}
    )
    assert response.status_code == 403
    delete_url = reverse("admin:applications_scoringrules_delete", args=[rules.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    rules.refresh_from_db()
    assert rules.fiscal_need_weight == Decimal("50")


def put_in_force(client, *rules):
    return client.post(
        reverse("admin:applications_scoringrules_changelist"),
        {"action": "put_in_force", "index": "0", "_selected_action": [r.pk for r in rules]},
        follow=True,
    )


def in_force(solicitation) -> list[int]:
    return list(
        ScoringRules.objects.filter(solicitation=solicitation, in_force=True).values_list(
            "version", flat=True
        )
    )


def test_putting_a_version_in_force_moves_the_single_in_force_version(signed_in, grants_manager):
    solicitation = SolicitationFactory()
    other = SolicitationFactory()
    v1, v2, v3 = (rules_for(solicitation, n) for n in (1, 2, 3))
    other_v1 = rules_for(other, 1, in_force=True)
    client = signed_in(grants_manager)

    response = put_in_force(client, v2)
    assert "scoring v2 is now in force" in response.text
    assert in_force(solicitation) == [2]

    put_in_force(client, v1)
    assert in_force(solicitation) == [1]
    put_in_force(client, v1)  # again: still exactly one
    assert in_force(solicitation) == [1]
    assert in_force(other) == [1]
    other_v1.refresh_from_db()
    assert other_v1.in_force
    put_in_force(client, v3)
    assert in_force(solicitation) == [3]


def test_putting_two_versions_in_force_at_once_is_refused(signed_in, grants_manager):
    solicitation = SolicitationFactory()
    v1 = rules_for(solicitation, 1, in_force=True)
    v2 = rules_for(solicitation, 2)
    response = put_in_force(signed_in(grants_manager), v1, v2)
    assert "Select exactly one version." in response.text
    assert in_force(solicitation) == [1]


def test_a_program_specialist_cannot_put_a_version_in_force(signed_in, program_specialist):
    solicitation = SolicitationFactory()
    rules = rules_for(solicitation, 1)
    client = signed_in(program_specialist)
    html = client.get(reverse("admin:applications_scoringrules_changelist")).text
    assert 'value="put_in_force"' not in html
    put_in_force(client, rules)
    assert in_force(solicitation) == []


def test_the_database_allows_only_one_version_in_force_per_solicitation():
    solicitation = SolicitationFactory()
    rules_for(solicitation, 1, in_force=True)
    rules_for(SolicitationFactory(), 1, in_force=True)  # another solicitation: fine
    rules_for(solicitation, 2)  # not in force: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        rules_for(solicitation, 3, in_force=True)


def test_the_database_refuses_a_duplicate_version_number():
    solicitation = SolicitationFactory()
    rules_for(solicitation, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        rules_for(solicitation, 1)


@pytest.mark.parametrize(
    ("fiscal", "crime", "community"),
    [("60", "30", "30"), ("50", "25", "24.99"), ("0", "0", "0")],
)
def test_weights_that_do_not_add_up_to_100_are_refused_by_clean_and_the_database(
    fiscal, crime, community
):
    solicitation = SolicitationFactory()
    values = {
        "fiscal_need_weight": Decimal(fiscal),
        "crime_weight": Decimal(crime),
        "community_policing_weight": Decimal(community),
    }
    rules = ScoringRules(solicitation=solicitation, version=1, **values)
    with pytest.raises(ValidationError, match="must add up to 100"):
        rules.clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        rules.save()
    rules = rules_for(solicitation, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoringRules.objects.filter(pk=rules.pk).update(crime_weight=Decimal("26"))


# Weights are whole percentage points, so the database checks their sum exactly on SQLite too.
EXACT_WEIGHTS = [
    ("50", "25", "25"),
    ("100", "0", "0"),
    ("34", "33", "33"),
    ("70", "29", "1"),
    ("40", "30", "30"),
]
EXACT_WEIGHTS_IN_THE_DATABASE = EXACT_WEIGHTS


def test_fractional_weights_are_refused_with_a_field_error(signed_in, grants_manager):
    solicitation = SolicitationFactory()
    response = add_rules(
        signed_in(grants_manager), solicitation, fiscal="33.33", crime="33.33", community="33.34"
    )
    assert response.status_code == 200
    assert "Enter a whole number" in response.text
    assert not ScoringRules.objects.filter(solicitation=solicitation).exists()


def exact_rules(fiscal, crime, community) -> ScoringRules:
    return ScoringRules(
        solicitation=SolicitationFactory(),
        version=1,
        fiscal_need_weight=Decimal(fiscal),
        crime_weight=Decimal(crime),
        community_policing_weight=Decimal(community),
    )


@pytest.mark.parametrize(("fiscal", "crime", "community"), EXACT_WEIGHTS)
def test_weights_that_add_up_to_100_are_accepted_by_clean(fiscal, crime, community):
    exact_rules(fiscal, crime, community).clean()


@pytest.mark.parametrize(("fiscal", "crime", "community"), EXACT_WEIGHTS_IN_THE_DATABASE)
def test_weights_that_add_up_to_100_are_accepted_by_the_database(fiscal, crime, community):
    rules = exact_rules(fiscal, crime, community)
    with transaction.atomic():
        rules.save()
    assert ScoringRules.objects.filter(pk=rules.pk).exists()


@pytest.mark.parametrize(("fiscal", "crime", "community"), EXACT_WEIGHTS_IN_THE_DATABASE)
def test_the_admin_accepts_weights_that_add_up_to_100(
    signed_in, grants_manager, fiscal, crime, community
):
    solicitation = SolicitationFactory()
    response = add_rules(
        signed_in(grants_manager), solicitation, fiscal=fiscal, crime=crime, community=community
    )
    assert response.status_code == 302, response.text
    assert ScoringRules.objects.get(solicitation=solicitation).crime_weight == Decimal(crime)


# Public pages ------------------------------------------------------------------------------------


def test_unpublished_solicitations_are_not_found(client, signed_in, applicant, grants_manager):
    solicitation = SolicitationFactory(is_published=False)
    url = reverse("applications:solicitation_detail", args=[solicitation.pk])
    assert client.get(url).status_code == 404
    assert signed_in(applicant).get(url).status_code == 404
    assert signed_in(grants_manager).get(url).status_code == 404
    response = signed_in(applicant).post(
        reverse("applications:application_start", args=[solicitation.pk]),
        {"agency": applicant.memberships.get().agency_id},
    )
    assert response.status_code == 404
    assert not Application.objects.exists()


def test_the_list_shows_published_solicitations_only(client):
    SolicitationFactory(title="FY26 CHP open now")
    SolicitationFactory(title="FY24 CHP long closed", closed=True)
    SolicitationFactory(title="FY27 CHP draft", is_published=False)
    response = client.get(reverse("applications:solicitation_list"))
    assert response.status_code == 200
    assert "FY26 CHP open now" in response.text
    assert "FY24 CHP long closed" in response.text
    assert "FY27 CHP draft" not in response.text


@pytest.mark.parametrize(
    ("closes_at", "shown"),
    [
        (datetime(2040, 1, 15, 21, 59, tzinfo=UTC), "January 15, 2040 at 4:59 PM EST"),
        (datetime(2040, 7, 16, 20, 59, tzinfo=UTC), "July 16, 2040 at 4:59 PM EDT"),
    ],
    ids=["winter", "summer"],
)
def test_the_deadline_is_shown_in_eastern_time_with_its_abbreviation(client, closes_at, shown):
    solicitation = SolicitationFactory(closes_at=closes_at)
    html = client.get(reverse("applications:solicitation_detail", args=[solicitation.pk])).text
    assert shown in html
    assert "UTC" not in html
    html = client.get(reverse("applications:solicitation_list")).text
    assert f"Deadline: {shown} (in " in html


def detail(client, solicitation):
    response = client.get(reverse("applications:solicitation_detail", args=[solicitation.pk]))
    assert response.status_code == 200
    return response.text


def test_anyone_signed_out_is_asked_to_sign_in_to_apply(client):
    html = detail(client, SolicitationFactory())
    assert "Sign in to apply" in html
    assert "Start application" not in html


def test_a_signed_in_person_without_an_agency_is_asked_to_register_one(signed_in, agency):
    MembershipFactory(agency=agency, pending=True)  # someone else asked to join
    html = detail(signed_in(UserFactory()), SolicitationFactory())
    assert "Register your agency" in html
    assert "Start application" not in html


def test_a_pending_member_gets_no_start_button(signed_in, agency):
    pending = MembershipFactory(agency=agency, pending=True).user
    html = detail(signed_in(pending), SolicitationFactory())
    assert "Start application" not in html
    assert agency.legal_name not in html


def test_a_member_of_an_agency_can_start_while_it_is_open(signed_in, member, agency):
    solicitation = SolicitationFactory()
    html = detail(signed_in(member), solicitation)
    assert "Start application" in html
    assert agency.legal_name in html
    assert f'name="agency" value="{agency.pk}"' in html


@pytest.mark.parametrize(
    "make",
    [lambda: SolicitationFactory(closed=True), not_yet_open],
    ids=["closed", "not yet open"],
)
def test_no_start_button_when_the_solicitation_is_not_open(signed_in, member, make):
    solicitation = make()
    client = signed_in(member)
    html = detail(client, solicitation)
    assert "This solicitation is not accepting applications." in html
    assert "Start application" not in html
    agency = member.memberships.get().agency
    client.post(
        reverse("applications:application_start", args=[solicitation.pk]), {"agency": agency.pk}
    )
    assert not Application.objects.exists()


def test_an_agency_with_an_application_is_offered_to_open_it(signed_in, member, agency):
    solicitation = SolicitationFactory()
    application = ApplicationFactory(agency=agency, solicitation=solicitation)
    html = detail(signed_in(member), solicitation)
    assert "Open your application" in html
    assert reverse("applications:application_overview", args=[application.pk]) in html
    assert "Start application" not in html
