"""Data checks at intake (applications/flags.py) and their stored flags (services.refresh_flags,
services.resolve_flag), on hand-computed examples."""

from decimal import Decimal

import pytest

from applications import services
from applications.flags import Bounds, check_figure, flags_for, mad, median, unresolved
from applications.models import Application, DataFlag
from copsgrants.models import AuditEvent
from tests.copsgrants.test_settings import PRODUCTION, run
from tests.factories import AgencyFactory, ApplicationFactory, SolicitationFactory

pytestmark = pytest.mark.django_db

D = Decimal


def test_the_median_and_the_median_absolute_deviation_on_a_hand_computed_example():
    values = [D(20), D(30), D(38), D(40), D(60)]
    assert median(values) == D(38)
    # |x - 38| = 18, 8, 0, 2, 22 -> sorted 0, 2, 8, 18, 22 -> 8
    assert mad(values, D(38)) == D(8)
    assert median([D(1), D(2), D(3), D(4)]) == D("2.5")


def test_a_figure_above_the_bound_and_far_from_the_median_says_both_in_one_sentence():
    message = check_figure(
        "crime_rate", D(412), peers=[D(20), D(30), D(38), D(40), D(60)],
        limits=Bounds(None, D(300)), outlier_mads=D(3), min_peers=5,
    )  # fmt: skip
    # (412 - 38) / 8 = 46.75 MADs
    assert message == (
        "412 crimes per 1,000 residents is above the plausible maximum of 300 and "
        "46.8 MADs above this solicitation's median of 38."
    )


def test_an_outlier_is_flagged_only_beyond_the_mad_limit_and_with_enough_peers():
    peers = [D(10), D(20), D(30), D(40), D(50)]  # median 30, MAD 10
    args = {"limits": Bounds(None, None), "outlier_mads": D(3), "min_peers": 5}
    assert check_figure("crime_rate", D(70), peers=peers, **args) == (
        "70 crimes per 1,000 residents is 4 MADs above this solicitation's median of 30."
    )
    assert check_figure("crime_rate", D(60), peers=peers, **args) is None  # exactly 3 MADs
    assert check_figure("crime_rate", D(0), peers=[D(20), *peers], **args) is None
    assert check_figure("crime_rate", D(70), peers=peers[:4], **args) is None  # 4 peers only
    below = check_figure("poverty", D("-15"), peers=peers, **args)
    assert below == "A poverty rate of -15% is 4.5 MADs below this solicitation's median of 30%."


def test_identical_peers_give_no_measurable_spread_so_only_the_bounds_apply():
    peers = [D(5)] * 6
    assert (
        check_figure("unemployment", D(9), peers=peers, limits=Bounds(None, D(25)),
                     outlier_mads=D(3), min_peers=5)
        is None
    )  # fmt: skip


def _peer(solicitation, crimes: int, **answers) -> Application:
    agency = AgencyFactory(jurisdiction_population=10_000, sworn_force_actual=80)
    return ApplicationFactory(
        submitted=True, agency=agency, solicitation=solicitation, violent_crimes=0,
        property_crimes=crimes, **answers,
    )  # fmt: skip


@pytest.fixture
def solicitation():
    return SolicitationFactory()


def test_an_application_is_flagged_against_its_solicitations_other_applications(solicitation):
    for crimes in (200, 300, 380, 400, 600):  # 20, 30, 38, 40, 60 per 1,000
        _peer(solicitation, crimes)
    _peer(SolicitationFactory(), 9_000)  # another solicitation: not a peer
    _peer(solicitation, 9_000, status=Application.Status.WITHDRAWN)  # withdrawn: not a peer
    application = _peer(solicitation, 4_120)
    [flag] = flags_for(application)
    assert flag.kind == DataFlag.Kind.CRIME_RATE
    assert flag.value == D("412.0000")
    assert flag.message == (
        "412 crimes per 1,000 residents is above the plausible maximum of 300 and "
        "46.8 MADs above this solicitation's median of 38."
    )


def test_the_plausible_bounds_come_from_settings(solicitation, settings):
    application = _peer(
        solicitation, 1_000, unemployment_rate=D("30"), budget_change_percent=D("-60")
    )
    application.agency.sworn_force_actual = 3  # 0.3 per 1,000 residents
    application.agency.save()
    messages = {flag.kind: flag.message for flag in flags_for(application)}
    assert messages == {
        "officer_rate": "0.3 sworn officers per 1,000 residents is below the plausible minimum "
        "of 0.5.",
        "budget_change": "A budget change of -60% is below the plausible minimum of -50%.",
        "unemployment": "An unemployment rate of 30% is above the plausible maximum of 25%.",
    }
    settings.SCREENING_MAX_CRIMES_PER_1000 = D(90)
    settings.SCREENING_MAX_UNEMPLOYMENT = D(40)
    kinds = {flag.kind for flag in flags_for(application)}
    assert kinds == {"officer_rate", "budget_change", "crime_rate"}


def test_the_agency_profile_snapshot_on_the_application_is_what_is_checked(solicitation):
    application = _peer(solicitation, 1_000)
    application.agency_profile = {"jurisdiction_population": 1_000, "sworn_force_actual": 80}
    application.save()
    kinds = {flag.kind for flag in flags_for(application)}
    # 1,000 crimes and 80 officers for 1,000 residents
    assert kinds == {"crime_rate", "officer_rate"}


def test_refreshing_keeps_the_resolution_of_an_unchanged_flag(solicitation, program_specialist):
    application = _peer(solicitation, 4_120)
    [flag] = services.refresh_flags(application=application)
    assert flag.is_open and unresolved(application)
    services.resolve_flag(
        flag=flag, by=program_specialist, resolution="verified",
        note="UCR printout for 2025 attached to the application.",
    )  # fmt: skip
    assert not unresolved(application)
    for crimes in (200, 300, 380, 400, 600):
        _peer(solicitation, crimes)  # the message now also names the outlier
    [again] = services.refresh_flags(application=application)
    assert again.pk == flag.pk
    assert again.resolution == DataFlag.Resolution.VERIFIED
    assert "MADs above" in again.message
    assert not unresolved(application)


def test_a_changed_figure_reopens_its_flag_and_a_figure_no_longer_flagged_loses_it(
    solicitation, program_specialist
):
    application = _peer(solicitation, 4_120)
    [flag] = services.refresh_flags(application=application)
    services.resolve_flag(flag=flag, by=program_specialist, resolution="corrected",
                          note="The agency had reported a three-year total.")  # fmt: skip
    application.property_crimes = 3_500
    application.save()
    [reopened] = services.refresh_flags(application=application)
    assert reopened.pk == flag.pk and reopened.is_open
    assert reopened.value == D("350.0000") and reopened.resolved_by is None
    application.property_crimes = 1_400
    application.save()
    assert services.refresh_flags(application=application) == []
    assert not DataFlag.objects.filter(application=application).exists()
    assert not unresolved(application)


def test_resolving_a_flag_needs_a_resolution_and_a_note_and_is_audited(
    solicitation, program_specialist
):
    application = _peer(solicitation, 4_120)
    [flag] = services.refresh_flags(application=application)
    with pytest.raises(services.ScreeningError, match="verified or corrected"):
        services.resolve_flag(flag=flag, by=program_specialist, resolution="", note="x")
    with pytest.raises(services.ScreeningError, match="Say what documentation"):
        services.resolve_flag(flag=flag, by=program_specialist, resolution="verified", note=" ")
    services.resolve_flag(flag=flag, by=program_specialist, resolution="verified",
                          note="Checked against the FBI's published count.")  # fmt: skip
    flag.refresh_from_db()
    assert flag.resolved_by == program_specialist and flag.resolved_at is not None
    event = AuditEvent.objects.get(verb="application.flag_resolved", object_id=str(application.pk))
    assert event.actor == program_specialist
    assert event.data["kind"] == "crime_rate" and event.data["resolution"] == "verified"
    assert flag.history.count() == 2
    with pytest.raises(services.ScreeningError, match="already resolved"):
        services.resolve_flag(flag=flag, by=program_specialist, resolution="corrected", note="y")


def test_flags_cannot_be_resolved_once_the_application_is_out_of_screening_and_review(
    solicitation, program_specialist
):
    application = _peer(solicitation, 4_120)
    [flag] = services.refresh_flags(application=application)
    application.status = Application.Status.SCORED
    application.save()
    with pytest.raises(services.ScreeningError, match="this application is scored"):
        services.resolve_flag(flag=flag, by=program_specialist, resolution="verified", note="x")


# The bounds are settings: malformed values stop start-up (each case in a fresh process).


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SCREENING_MAX_POVERTY": "lots"}, "SCREENING_MAX_POVERTY must be a number"),
        ({"SCREENING_MAX_CRIMES_PER_1000": "NaN"}, "must be a finite number"),
        ({"SCREENING_MIN_BUDGET_CHANGE": "10", "SCREENING_MAX_BUDGET_CHANGE": "5"},
         "SCREENING_MIN_BUDGET_CHANGE must not exceed"),
        ({"SCREENING_OUTLIER_MADS": "0"}, "SCREENING_OUTLIER_MADS must be above 0"),
    ],
)  # fmt: skip
def test_malformed_screening_bounds_stop_start_up(env, message):
    result = run("manage.py", "check", **PRODUCTION, **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_screening_bounds_are_read_from_the_environment():
    result = run(
        "-c",
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SCREENING_MAX_CRIMES_PER_1000, settings.SCREENING_MIN_OFFICERS_PER_1000)",
        **PRODUCTION, SCREENING_MAX_CRIMES_PER_1000="250.5",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["250.5", "0.5"]
