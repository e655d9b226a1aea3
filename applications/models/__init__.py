"""The applications app's models, one module per sub-domain (like manage.get.gov's
registrar/models/): agencies and memberships, solicitations and scoring rules, applications and
school partners. Import from here: `from applications.models import Application`."""

from .agencies import (
    MAX_POPULATION,
    MAX_SWORN_FORCE,
    Agency,
    AgencyType,
    Membership,
    active_membership,
    membership_or_404,
    require_agency_role,
)
from .applications import (
    CORRECTION_DAYS,
    MAX_CORRECTION_DAYS,
    MIN_CORRECTION_DAYS,
    Application,
    SchoolPartner,
)
from .awards import Award, AwardCondition, AwardLetter, AwardNumberSequence, AwardSignature
from .implementation import POSITIONS_FIELD, Drawdown, HiringCategory, OfficerHire
from .review import DataFlag, Review, ReviewAssignment, ReviewerProfile
from .scoring import FundingPlan, PlanAdjustment, PlanLine, ScoreBreakdown, ScoringRun
from .solicitations import PERCENT, MatchWaiver, ScoringRules, Solicitation

__all__ = [
    "CORRECTION_DAYS",
    "MAX_CORRECTION_DAYS",
    "MAX_POPULATION",
    "MAX_SWORN_FORCE",
    "MIN_CORRECTION_DAYS",
    "PERCENT",
    "POSITIONS_FIELD",
    "Agency",
    "AgencyType",
    "Application",
    "Award",
    "AwardCondition",
    "AwardLetter",
    "AwardNumberSequence",
    "AwardSignature",
    "DataFlag",
    "Drawdown",
    "FundingPlan",
    "HiringCategory",
    "MatchWaiver",
    "Membership",
    "OfficerHire",
    "PlanAdjustment",
    "PlanLine",
    "Review",
    "ReviewAssignment",
    "ReviewerProfile",
    "SchoolPartner",
    "ScoreBreakdown",
    "ScoringRules",
    "ScoringRun",
    "Solicitation",
    "active_membership",
    "membership_or_404",
    "require_agency_role",
]
