from django.apps import AppConfig

from copsgrants import roles


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "Agencies and applications"
    # What each staff role may do with this app's models (collected by roles.sync_role_groups).
    staff_role_permissions = {
        roles.PROGRAM_SPECIALIST: [
            "view_agency", "change_agency", "view_membership", "change_membership",
            "view_solicitation", "view_scoringrules", "view_application", "return_application",
            "screen_application", "view_dataflag", "change_dataflag", "view_award",
            "view_awardletter", "view_awardcondition",
            "view_reviewassignment", "view_officerhire", "view_drawdown", "decide_drawdown",
        ],
        roles.REVIEWER: [
            "view_agency", "view_solicitation", "view_application", "review_application",
            "view_reviewassignment", "view_review", "add_review", "change_review",
        ],
        roles.GRANTS_MANAGER: [
            "view_agency", "view_membership", "view_solicitation", "add_solicitation",
            "change_solicitation", "view_scoringrules", "add_scoringrules", "view_application",
            "return_application", "assign_reviewers", "compute_scores", "draft_funding_plan",
            "approve_funding_plan", "make_awards", "view_award", "view_awardletter",
            "view_awardcondition", "view_awardsignature", "view_reviewassignment", "view_review",
            "view_dataflag",
            "view_scoringrun", "view_scorebreakdown", "view_fundingplan", "view_planline",
            "view_planadjustment", "view_reviewerprofile", "add_reviewerprofile",
            "change_reviewerprofile", "view_officerhire", "view_drawdown",
        ],
        roles.TRAINING_COORDINATOR: ["view_agency"],
    }  # fmt: skip
