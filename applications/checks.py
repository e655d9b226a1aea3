"""What is missing or invalid in an application: plain functions over the stored application, no
forms. The task list, the review page, submission and (next) screening all ask these questions.

A section is `not_started` until it is first saved (the agency section starts prefilled from the
agency's profile), `has_errors` when one of its rules fails (often because another section changed
since), `in_progress` while something required is missing, and `complete` otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from .budget import officer_cap
from .models import Agency, Application, MatchWaiver

Rule = tuple[str | None, str]


@dataclass(frozen=True)
class Problem:
    section: str
    field: str | None
    message: str
    missing: bool = False  # True: something still to fill in; False: a rule is broken


# The agency's profile minus its identifiers, which stay the agency's own.
PROFILE_FIELDS = [
    "legal_name", "jurisdiction_population", "sworn_force_actual", "sworn_force_budgeted",
    "address_line1", "address_line2", "city", "zip_code",
    "le_executive_name", "le_executive_title", "le_executive_email", "le_executive_phone",
    "gov_executive_name", "gov_executive_title", "gov_executive_email", "gov_executive_phone",
]  # fmt: skip

ELIGIBILITY_FIELDS = (
    "has_law_enforcement_authority",
    "is_startup_or_consortium",
    "has_active_sam_registration",
)


def profile_from_agency(agency: Agency) -> dict:
    return {name: getattr(agency, name) for name in PROFILE_FIELDS}


def profile_value(application: Application, name: str):
    """A profile answer from the application's snapshot, else from the agency itself."""
    if application.agency_profile and name in application.agency_profile:
        return application.agency_profile[name]
    return getattr(application.agency, name)


def salary_fields(application: Application) -> list[str]:
    """The yearly salary and fringe answers the solicitation asks for, year by year."""
    return [
        f"{kind}_year_{year}"
        for year in range(1, application.solicitation.funded_years + 1)
        for kind in ("salary", "fringe")
    ]


def label(name: str) -> str:
    """The question's wording, as the form shows it."""
    if name == "partners":
        return "School partners"
    for prefix, who in (("le_", "Law enforcement executive"), ("gov_", "Government executive")):
        if name.startswith(f"{prefix}executive_"):
            return f"{who}'s {name.rsplit('_', 1)[1]}"
    if name in PROFILE_FIELDS:
        return str(Agency._meta.get_field(name).verbose_name)
    return str(Application._meta.get_field(name).verbose_name)


def missing_message(name: str) -> str:
    text = label(name)
    if text.endswith("?"):
        return f"Answer: {text}"
    if text.startswith("We "):
        return f"Confirm the assurance: {text}"
    return f"{text[:1].upper()}{text[1:]} is missing."


def _blank(value) -> bool:
    return value is None or value == "" or value is False


def _unanswered(application: Application, names) -> list[str]:
    """Yes/no questions: only None is unanswered (False is the answer "No")."""
    return [name for name in names if getattr(application, name) is None]


def _empty(application: Application, names) -> list[str]:
    return [name for name in names if _blank(getattr(application, name))]


# Eligibility ------------------------------------------------------------------------------------


def eligibility_missing(application: Application) -> list[str]:
    return _unanswered(application, ELIGIBILITY_FIELDS)


def eligibility_rules(application: Application) -> Iterator[Rule]:
    if application.has_law_enforcement_authority is False:
        yield (
            "has_law_enforcement_authority",
            "Only agencies with primary law enforcement authority are eligible for CHP.",
        )
    if application.is_startup_or_consortium is True:
        yield (
            "is_startup_or_consortium",
            "Start-up agencies and consortia are not eligible for CHP.",
        )
    if application.has_active_sam_registration is False:
        yield (
            "has_active_sam_registration",
            "You need an active SAM.gov registration and a UEI to apply. Register at SAM.gov, "
            "then return to this application.",
        )


# Agency -----------------------------------------------------------------------------------------

PROFILE_REQUIRED = tuple(name for name in PROFILE_FIELDS if name != "address_line2")


def agency_missing(application: Application) -> list[str]:
    return [name for name in PROFILE_REQUIRED if profile_value(application, name) in (None, "")]


def agency_rules(application: Application) -> Iterator[Rule]:
    if profile_value(application, "sworn_force_actual") == 0:
        yield (
            "sworn_force_actual",
            "An agency with no sworn officers cannot apply: CHP funds officers for an existing "
            "sworn force.",
        )


# Officer request --------------------------------------------------------------------------------


def officers_missing(application: Application) -> list[str]:
    missing = _empty(application, salary_fields(application))
    if application.total_positions == 0:
        missing.insert(0, "positions_new_hire")
    return missing


def officers_rules(application: Application) -> Iterator[Rule]:
    solicitation = application.solicitation
    for year in range(1, solicitation.funded_years + 1):
        salary = getattr(application, f"salary_year_{year}")
        fringe = getattr(application, f"fringe_year_{year}")
        if salary is not None and not Decimal("10000") <= salary <= Decimal("250000"):
            yield (
                f"salary_year_{year}",
                "Enter the entry-level annual salary, between $10,000 and $250,000.",
            )
        if fringe is not None and not Decimal("0") <= fringe <= Decimal("200000"):
            yield (
                f"fringe_year_{year}",
                "Enter the annual fringe benefits, between $0 and $200,000.",
            )
    if application.positions_rehire_scheduled:
        if application.layoff_date is None:
            yield ("layoff_date", "Enter the date the officers are scheduled to be laid off.")
        if not application.layoff_explanation.strip():
            yield ("layoff_explanation", "Explain what schedules the layoffs.")
    if application.layoff_date is not None and application.layoff_date <= timezone.localdate():
        yield (
            "layoff_date",
            "A scheduled layoff must be in the future. Officers already laid off are "
            "'rehire (already laid off)' positions.",
        )
    cap = officer_cap(
        sworn_force=profile_value(application, "sworn_force_actual"),
        population=profile_value(application, "jurisdiction_population"),
        percent_of_force=solicitation.officer_cap_percent,
        max_officers=solicitation.officer_cap_max,
        max_officers_large=solicitation.officer_cap_max_large,
        large_population=solicitation.large_population_threshold,
        small_force=solicitation.small_force_threshold,
    )
    requested = application.total_positions
    if cap is not None and requested > cap:
        yield (
            "positions_new_hire",
            f"This solicitation allows your agency at most {cap} "
            f"position{'s' if cap != 1 else ''}; you requested {requested}.",
        )
    ceiling = solicitation.award_ceiling
    if ceiling is not None and requested:
        federal = application.budget.total_federal
        if federal > ceiling:
            yield (
                "positions_new_hire",
                f"The federal share you request (${federal:,.2f}) is above this solicitation's "
                f"award ceiling of ${ceiling:,.2f}. Request fewer positions.",
            )


# SRO commitment ---------------------------------------------------------------------------------


def sro_missing(application: Application) -> list[str]:
    missing = _unanswered(application, ["sro_commitment"])
    if application.sro_commitment:
        if not application.sro_positions:
            missing.append("sro_positions")
        if not application.sro_time_assurance:
            missing.append("sro_time_assurance")
        if not application.school_partners.exists():
            missing.append("partners")
    return missing


def sro_rules(application: Application) -> Iterator[Rule]:
    if not (application.sro_commitment and application.sro_positions):
        return
    total = application.total_positions
    if application.sro_positions > total:
        yield (
            "sro_positions",
            f"You can deploy at most the {total} position{'s' if total != 1 else ''} you "
            "requested in the officer request as SROs.",
        )
    elif application.solicitation.all_positions_sro and application.sro_positions < total:
        yield (
            "sro_positions",
            f"This solicitation asks agencies that commit to SROs to deploy every requested "
            f"position as an SRO: enter {total}, or change the officer request.",
        )


# Other sections ---------------------------------------------------------------------------------


def commitments_missing(application: Application) -> list[str]:
    return _unanswered(application, ["veteran_commitment"])


CP_FIELDS = ("cp_problem", "cp_partners", "cp_problem_solving", "cp_organizational_changes")


def community_policing_missing(application: Application) -> list[str]:
    return _empty(application, CP_FIELDS)


FISCAL_FIELDS = ("budget_change_percent", "unemployment_rate", "poverty_rate",
                 "violent_crimes", "property_crimes")  # fmt: skip


def fiscal_missing(application: Application) -> list[str]:
    return _unanswered(application, FISCAL_FIELDS)


def fiscal_rules(application: Application) -> Iterator[Rule]:
    population = profile_value(application, "jurisdiction_population") or 0
    crimes = (application.violent_crimes or 0) + (application.property_crimes or 0)
    if population and crimes > population:
        yield (
            "property_crimes",
            f"Reported crimes ({crimes:,}) exceed your jurisdiction's population "
            f"({population:,}). Check the figures: they are counts for one year.",
        )


def retention_missing(application: Application) -> list[str]:
    return _empty(application, ["retention_plan", "retention_assurance"])


def match_missing(application: Application) -> list[str]:
    missing = _empty(application, ["match_waiver"])
    if application.match_waiver == MatchWaiver.NONE:
        if not application.match_source.strip():
            missing.append("match_source")
        missing += _empty(application, ["match_not_budgeted", "match_not_federal"])
    if application.match_waiver in (MatchWaiver.PARTIAL, MatchWaiver.FULL) and not (
        application.waiver_justification.strip()
    ):
        missing.append("waiver_justification")
    return missing


# The registry -----------------------------------------------------------------------------------


def _no_rules(application: Application) -> Iterator[Rule]:
    return iter(())


@dataclass(frozen=True)
class SectionCheck:
    slug: str
    missing: Callable[[Application], list[str]]
    rules: Callable[[Application], Iterator[Rule]] = _no_rules
    # Eligibility answers are facts, not typing mistakes: they are saved, then flagged.
    rules_block_save: bool = True
    # Prefilled sections count as started before their first save.
    prefilled: bool = False
    required: tuple[str, ...] = field(default=())
    # Required answers that depend on the application (e.g. one salary per funded year).
    required_also: Callable[[Application], list[str]] | None = None

    def required_for(self, application: Application) -> tuple[str, ...]:
        extra = self.required_also(application) if self.required_also else []
        return (*self.required, *extra)

    def started(self, application: Application) -> bool:
        return self.prefilled or application.section_version(self.slug) > 0

    def problems(self, application: Application) -> list[Problem]:
        found = [
            Problem(self.slug, name, missing_message(name), missing=True)
            for name in self.missing(application)
        ]
        found += [Problem(self.slug, name, message) for name, message in self.rules(application)]
        return found

    def state(self, application: Application, problems: list[Problem]) -> str:
        if not self.started(application):
            return "not_started"
        if any(not p.missing for p in problems):
            return "has_errors"
        return "in_progress" if problems else "complete"


CHECKS: dict[str, SectionCheck] = {
    check.slug: check
    for check in (
        SectionCheck("eligibility", eligibility_missing, eligibility_rules,
                     rules_block_save=False, required=ELIGIBILITY_FIELDS),
        SectionCheck("agency", agency_missing, agency_rules, prefilled=True,
                     required=PROFILE_REQUIRED),
        SectionCheck("officers", officers_missing, officers_rules,
                     required=("positions_new_hire",), required_also=salary_fields),
        SectionCheck("sro", sro_missing, sro_rules, required=("sro_commitment",)),
        SectionCheck("commitments", commitments_missing, required=("veteran_commitment",)),
        SectionCheck("community-policing", community_policing_missing, required=CP_FIELDS),
        SectionCheck("fiscal-need", fiscal_missing, fiscal_rules, required=FISCAL_FIELDS),
        SectionCheck("retention", retention_missing,
                     required=("retention_plan", "retention_assurance")),
        SectionCheck("match", match_missing, required=("match_waiver",)),
    )
}  # fmt: skip


def section_problems(application: Application) -> dict[str, list[Problem]]:
    return {slug: check.problems(application) for slug, check in CHECKS.items()}


def outstanding(application: Application) -> list[Problem]:
    """Everything that stops submission, in section order."""
    return [problem for found in section_problems(application).values() for problem in found]
