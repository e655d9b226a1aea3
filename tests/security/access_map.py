"""Who may open each URL of the site: ONE declaration per URL name. `test_url_access` fails when
a URL name exists that is not declared here, or a declaration names a URL that no longer exists,
so adding a URL means saying who may use it.

Kinds (outside /admin/):
- PUBLIC: anyone, signed in or not.
- SIGNED_IN: any signed-in user; names no agency's object.
- AGENCY: an object of one agency (`args` builds the URL's arguments for agency A of the
  `World`): a member of another agency gets a 404, a member of A reaches it.
- AR_ONLY: an agency object whose action only an Authorized Representative or agency
  administrator may take: also refused (403/404) to a plain member of A.
`download=True` marks a file download (attachment + nosniff); `staff_perm` the permission with
which COPS staff download it too.

The admin (/admin/) is declared separately: every ModelAdmin's standard pages follow the staff
group's model permissions; each custom admin URL names the permission that opens it
(ADMIN_ACTIONS), and ADMIN_SITE lists the admin site's own pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from applications.sections import SECTIONS

from .world import World

PUBLIC = "public"
SIGNED_IN = "signed-in"
AGENCY = "agency-object"
AR_ONLY = "ar-only"

GET = ("GET",)
POST = ("POST",)
GET_POST = ("GET", "POST")


@dataclass(frozen=True)
class Access:
    kind: str
    args: Callable[[World], list] = lambda w: []
    methods: tuple[str, ...] = GET
    # POST body that names the agency's object when the URL does not (application_start).
    data: Callable[[World], dict] = lambda w: {}
    # What the agency's own member adds to the POST: what only someone who knows the agency
    # can type (asking to join needs the agency's ORI or UEI).
    member_data: Callable[[World], dict] = lambda w: {}
    download: bool = False
    staff_perm: str | None = None
    why: str = ""


def _agency(w: World) -> list:
    return [w.agency.pk]


def _application(w: World) -> list:
    return [w.application.pk]


def _offered(w: World) -> list:
    return [w.offered.pk]


def _accepted(w: World) -> list:
    return [w.accepted.pk]


SITE: dict[str, Access] = {
    # Public pages -----------------------------------------------------------------------------
    "home": Access(PUBLIC),
    "favicon": Access(PUBLIC),
    "healthz": Access(PUBLIC),
    "register": Access(PUBLIC, methods=GET_POST),
    "login": Access(PUBLIC, methods=GET_POST),
    "password_reset": Access(PUBLIC, methods=GET_POST),
    "password_reset_done": Access(PUBLIC),
    "password_reset_confirm": Access(PUBLIC, args=lambda w: ["MQ", "set-password"]),
    "password_reset_complete": Access(PUBLIC),
    # Email confirmation at sign-up (copsgrants/views_accounts.py); OpenID Connect sign-in, a 404
    # while OIDC_RP_CLIENT_ID is unset (copsgrants/oidc.py).
    "verify_email_sent": Access(PUBLIC, methods=GET_POST),
    "verify_email": Access(PUBLIC, args=lambda w: ["not-a-token"], methods=GET_POST),
    "verify_email_resend": Access(PUBLIC, methods=GET_POST),
    "verify_email_resend_done": Access(PUBLIC),
    "oidc_authentication_init": Access(PUBLIC),
    "oidc_authentication_callback": Access(PUBLIC),
    "applications:solicitation_list": Access(PUBLIC),
    "applications:solicitation_detail": Access(
        PUBLIC, args=lambda w: [w.application.solicitation_id]
    ),
    "applications:verify_letter": Access(PUBLIC),
    "training_certificates:verify": Access(PUBLIC),
    # Signed in, no agency object ----------------------------------------------------------
    "logout": Access(SIGNED_IN, methods=POST, why="signing out needs someone signed in"),
    "password_change": Access(SIGNED_IN, methods=GET_POST),
    "password_change_done": Access(SIGNED_IN),
    # Two-step verification (copsgrants/urls_mfa.py): the user's own account only.
    "account_security": Access(SIGNED_IN),
    "mfa_verify": Access(SIGNED_IN, methods=GET_POST, why="the second step of signing in"),
    "mfa_setup": Access(SIGNED_IN, methods=GET_POST),
    "mfa_recovery_codes": Access(SIGNED_IN, methods=GET_POST),
    "mfa_disable": Access(SIGNED_IN, methods=GET_POST),
    "mfa_key_add": Access(SIGNED_IN, methods=GET_POST),
    "mfa_key_remove": Access(SIGNED_IN, methods=GET_POST, why="only the user's own keys"),
    # Security keys: django-otp-webauthn's JSON endpoints of the browser ceremonies
    # (copsgrants/urls_keys.py). A second factor only: no passwordless sign-in.
    "otp_webauthn:credential-registration-begin": Access(SIGNED_IN, methods=POST),
    "otp_webauthn:credential-registration-complete": Access(
        SIGNED_IN, methods=POST, why="400 without the state its begin step keeps in the session"
    ),
    "otp_webauthn:credential-authentication-begin": Access(SIGNED_IN, methods=POST),
    "otp_webauthn:credential-authentication-complete": Access(
        SIGNED_IN, methods=POST, why="400 without the state its begin step keeps in the session"
    ),
    "applications:dashboard": Access(SIGNED_IN),
    "applications:agency_create": Access(SIGNED_IN, methods=GET_POST),
    "applications:agency_find": Access(SIGNED_IN),
    "mou:guide": Access(SIGNED_IN, download=True, why="the same guide for every agency"),
    "training:catalogue": Access(SIGNED_IN, why="acts for one of the user's own agencies"),
    "training:roster": Access(SIGNED_IN, why="acts for one of the user's own agencies"),
    "training:officer_add": Access(SIGNED_IN, methods=GET_POST),
    "training:session_detail": Access(
        SIGNED_IN,
        args=lambda w: [w.session.pk],
        methods=GET_POST,
        why="sessions are NASRO's catalogue, shared by every agency; enrolling acts for one of "
        "the user's own agencies",
    ),
    # One agency's objects -------------------------------------------------------------------
    "applications:agency_detail": Access(AGENCY, args=_agency),
    "applications:agency_join": Access(
        AGENCY,
        args=_agency,
        methods=POST,
        member_data=lambda w: {"identifier": w.agency.ori},
        why="a 404 unless the ORI or UEI is typed",
    ),
    "applications:application_start": Access(
        AGENCY,
        args=lambda w: [w.application.solicitation_id],
        methods=POST,
        data=lambda w: {"agency": w.agency.pk},
    ),
    "applications:application_overview": Access(AGENCY, args=_application),
    "applications:application_section": Access(
        AGENCY, args=lambda w: [w.application.pk, SECTIONS[0].slug], methods=GET_POST
    ),
    "applications:application_review": Access(AGENCY, args=_application),
    "applications:award_detail": Access(AGENCY, args=_offered),
    "applications:award_letter_download": Access(
        AGENCY,
        args=lambda w: [w.offered.pk, 1],
        download=True,
        staff_perm="applications.view_awardletter",
    ),
    "applications:award_file": Access(
        AGENCY, args=_offered, download=True, staff_perm="applications.view_award"
    ),
    "applications:hire_new": Access(AGENCY, args=_accepted, methods=GET_POST),
    "applications:drawdown_new": Access(AGENCY, args=_accepted, methods=GET_POST),
    "mou:award_mou": Access(AGENCY, args=_accepted, methods=GET_POST),
    "mou:mou_download": Access(
        AGENCY,
        args=lambda w: [w.accepted.pk, w.mou.version],
        download=True,
        staff_perm="mou.view_mouversion",
    ),
    "training:officer_detail": Access(AGENCY, args=lambda w: [w.officer.pk]),
    "training:officer_edit": Access(AGENCY, args=lambda w: [w.officer.pk], methods=GET_POST),
    "training:officer_remove": Access(AGENCY, args=lambda w: [w.officer.pk], methods=GET_POST),
    "training:enrollment_cancel": Access(
        AGENCY, args=lambda w: [w.enrollment.pk], methods=GET_POST
    ),
    "training_certificates:certificate_download": Access(
        AGENCY,
        args=lambda w: [w.certificate.pk],
        download=True,
        staff_perm="training.view_certificate",
    ),
    # Authorized Representative / agency administrator actions ------------------------------
    "applications:agency_edit": Access(AR_ONLY, args=_agency, methods=GET_POST),
    "applications:membership_approve": Access(
        AR_ONLY, args=lambda w: [w.agency.pk, w.pending.pk], methods=POST
    ),
    "applications:membership_decline": Access(
        AR_ONLY, args=lambda w: [w.agency.pk, w.pending.pk], methods=POST
    ),
    "applications:membership_roles": Access(
        AR_ONLY,
        args=lambda w: [w.agency.pk, w.member_membership.pk],
        methods=POST,
        data=lambda w: {"is_administrator": "on", "is_authorized_representative": "on"},
    ),
    "applications:membership_remove": Access(
        AR_ONLY, args=lambda w: [w.agency.pk, w.member_membership.pk], methods=GET_POST
    ),
    "applications:application_submit": Access(AR_ONLY, args=_application, methods=POST),
    "applications:application_withdraw": Access(AR_ONLY, args=_application, methods=GET_POST),
    "applications:award_sign": Access(AR_ONLY, args=_offered, methods=POST),
    "applications:award_decline": Access(
        AR_ONLY, args=_offered, methods=GET_POST, data=lambda w: {"reason": "No longer needed."}
    ),
}


# The admin --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdminAction:
    """A custom admin URL: the permission a staff member needs to open it, and its arguments.
    `perm` "view:<app>.<model>" means the model's view (or change) permission."""

    perm: str
    args: Callable[[World], list] = lambda w: []
    # Besides the permission, the page is only for some rows: a 404 or a redirect is then
    # a right answer for a permitted group too (e.g. a reviewer's own assignments).
    scoped: bool = False
    download: bool = False  # a file (attachment + nosniff)


def _plan(w: World) -> list:
    return [w.offered.plan_id]


ADMIN_ACTIONS: dict[str, AdminAction] = {
    "admin:applications_agency_verify": AdminAction(
        "applications.change_agency", lambda w: [w.agency.pk], scoped=True
    ),
    "admin:applications_application_return": AdminAction(
        "applications.return_application", lambda w: [w.offered.application_id], scoped=True
    ),
    "admin:applications_application_screen": AdminAction(
        "applications.screen_application", lambda w: [w.offered.application_id], scoped=True
    ),
    "admin:applications_award_retry": AdminAction(
        "applications.make_awards", lambda w: [w.offered.pk, 1], scoped=True
    ),
    "admin:applications_award_reissue": AdminAction(
        "applications.make_awards", _offered, scoped=True
    ),
    "admin:applications_award_batch": AdminAction("view:applications.award", _plan),
    "admin:applications_award_progress": AdminAction("view:applications.award", _plan),
    "admin:applications_award_make": AdminAction("applications.make_awards", _plan, scoped=True),
    "admin:applications_drawdown_approve": AdminAction(
        "applications.decide_drawdown", lambda w: [w.drawdown.pk]
    ),
    "admin:applications_drawdown_reject": AdminAction(
        "applications.decide_drawdown", lambda w: [w.drawdown.pk]
    ),
    "admin:applications_fundingplan_adjust": AdminAction(
        "applications.draft_funding_plan",
        lambda w: [w.offered.plan_id, w.offered.application_id],
        scoped=True,
    ),
    "admin:applications_fundingplan_approve": AdminAction(
        "applications.approve_funding_plan", _plan, scoped=True
    ),
    "admin:applications_fundingplan_release": AdminAction(
        "applications.approve_funding_plan", _plan, scoped=True
    ),
    "admin:applications_fundingplan_audit_bundle": AdminAction(
        "view:applications.fundingplan", lambda w: [w.offered.solicitation_id], download=True
    ),
    "admin:applications_fundingplan_draft": AdminAction(
        "applications.draft_funding_plan", lambda w: [w.offered.solicitation_id], scoped=True
    ),
    "admin:applications_membership_revoke_representative": AdminAction(
        "applications.change_membership",
        lambda w: [w.agency.memberships.get(user=w.representative).pk],
    ),
    "admin:applications_reviewassignment_reopen": AdminAction(
        "applications.assign_reviewers", lambda w: [_assignment(w)], scoped=True
    ),
    "admin:applications_reviewassignment_review": AdminAction(
        "applications.review_application", lambda w: [_assignment(w)], scoped=True
    ),
    "admin:applications_scoringrun_breakdowns_csv": AdminAction(
        "view:applications.scoringrun", lambda w: [_run(w)], download=True
    ),
    "admin:applications_scoringrun_ranking_csv": AdminAction(
        "view:applications.scoringrun", lambda w: [_run(w)], download=True
    ),
    "admin:applications_scoringrun_ranking_xlsx": AdminAction(
        "view:applications.scoringrun", lambda w: [_run(w)], download=True
    ),
    "admin:applications_scoringrun_ranking": AdminAction(
        "view:applications.scoringrun", lambda w: [_run(w)]
    ),
    "admin:applications_solicitation_compute_scores": AdminAction(
        "applications.compute_scores", lambda w: [w.offered.solicitation_id], scoped=True
    ),
    "admin:mou_mouversion_review": AdminAction(
        "mou.review_mouversion", lambda w: [w.mou.pk], scoped=True
    ),
    "admin:post_office_email_preview": AdminAction("view:post_office.email", lambda w: [_email(w)]),
    "admin:resend": AdminAction("change:post_office.email", lambda w: [_email(w)], scoped=True),
    "admin:post_office_email_image": AdminAction(
        "view:post_office.email", lambda w: [_email(w), "0" * 32], scoped=True
    ),
    "admin:auth_user_password_change": AdminAction(
        "change:copsgrants.user", lambda w: [w.member.pk]
    ),
    "admin:training_certificate_retry": AdminAction(
        "view:training.certificate", lambda w: [w.certificate.pk], scoped=True
    ),
    "admin:training_coursesession_cancel": AdminAction(
        "training.cancel_coursesession", lambda w: [w.session.pk]
    ),
    "admin:training_coursesession_complete": AdminAction(
        "training.record_attendance", lambda w: [w.session.pk], scoped=True
    ),
    "admin:training_coursesession_roster_csv": AdminAction(
        "view:training.coursesession", lambda w: [w.session.pk], download=True
    ),
    "admin:training_coursesession_roster": AdminAction(
        "view:training.coursesession", lambda w: [w.session.pk]
    ),
    # django-otp's key and QR code pages: refused to everyone (OTP_ADMIN_HIDE_SENSITIVE_DATA).
    "admin:otp_totp_totpdevice_config": AdminAction(
        "view:otp_totp.totpdevice", lambda w: [_totp_device(w)]
    ),
    "admin:otp_totp_totpdevice_qrcode": AdminAction(
        "view:otp_totp.totpdevice", lambda w: [_totp_device(w)]
    ),
}

# The admin site's own pages: the index and the app lists show each user only what they may
# see; sign in/out, the password change and the script catalogue serve any staff member.
ADMIN_SITE = {
    "admin:index",
    "admin:app_list",
    "admin:login",
    "admin:logout",
    "admin:password_change",
    "admin:password_change_done",
    "admin:jsi18n",
    "admin:autocomplete",
    "admin:view_on_site",
}
# Standard ModelAdmin pages, for every registered model (`admin:<app>_<model>_<page>`).
MODEL_PAGES = ("changelist", "add", "change", "delete", "history")
# django-simple-history's page of one past version, on the models it tracks.
HISTORY_VERSION_PAGE = "simple_history"


def _assignment(w: World) -> int:
    return w.offered.application.assignments.get().pk


def _run(w: World) -> int:
    return w.offered.plan.run_id


def _email(w: World) -> int:
    from post_office.models import Email

    email = Email.objects.order_by("pk").first()
    if email is None:
        email = Email.objects.create(
            from_email="cops@example.gov", to=["chief@town.example"], subject="Test"
        )
    return email.pk


def _totp_device(w: World) -> int:
    from tests.mfa_helpers import confirmed_app_device

    return confirmed_app_device(w.member).pk
