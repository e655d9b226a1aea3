"""Every page of the site and the admin that posts a form: its URL name, the persona who may
post it, and how to reach it in the `World` (tests/fuzz/world.py). The fields and their
valid values are read from the page itself (`page_form`): what a browser would send.

`tests/fuzz/test_form_catalogue.py` walks the URL resolver and fails when a page with a
POST form is missing here; `test_fuzz_forms.py` posts hostile variants of each one."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from applications.models import Agency, PlanLine
from applications.sections import SECTIONS
from copsgrants.models import User
from copsgrants.verification import make_token

from .world import World


@dataclass(frozen=True)
class Entry:
    name: str  # the URL name
    persona: str  # a World attribute ("applicant", "superuser", ...) or "anonymous"
    url: Callable[[World], str]
    label: str = ""  # tells apart entries of one URL name (admin add/change of one model)
    # The page that shows the form, when the URL itself only takes a POST.
    page: Callable[[World], str] | None = None

    @property
    def id(self) -> str:
        return self.label or self.name


def _site(name: str, persona: str = "applicant", *args: Callable[[World], object], label="",
          page: Callable[[World], str] | None = None):  # fmt: skip
    return Entry(
        name, persona, lambda w: reverse(name, args=[arg(w) for arg in args]), label=label,
        page=page,
    )  # fmt: skip


def _agency_page(w: World) -> str:
    return reverse("applications:agency_detail", args=[w.agency.pk])


def _reset_confirm(w: World) -> str:
    uid = urlsafe_base64_encode(force_bytes(w.applicant.pk))
    # The view keeps the token in the session and sends the browser on to a "set-password" URL.
    token = default_token_generator.make_token(w.applicant)
    return reverse("password_reset_confirm", args=[uid, token])


def _confirm_email(w: World) -> str:
    # A token for an account that signed up and has not confirmed yet: the page shows its button.
    pending, _ = User.objects.get_or_create(
        email="pending@agency.test", defaults={"email_verified_at": None}
    )
    return reverse("verify_email", args=[make_token(pending)])


SITE: list[Entry] = [
    _site("register", "anonymous"),
    _site("login", "anonymous"),
    Entry("verify_email", "anonymous", _confirm_email),
    _site("verify_email_resend", "anonymous"),
    _site("password_reset", "anonymous"),
    Entry("password_reset_confirm", "anonymous", _reset_confirm),
    _site("password_change"),
    # Two-step verification (copsgrants/urls_mfa.py): random codes must never be a 500.
    _site("mfa_verify", "two_step"),
    _site("mfa_setup"),
    _site("mfa_recovery_codes", "superuser"),
    # Naming a new security key (the page's script posts it after the browser's ceremony).
    _site("mfa_key_add"),
    _site("applications:agency_create", "outsider"),
    _site("applications:agency_edit", "applicant", lambda w: w.agency.pk),
    _site(
        "applications:agency_join",
        "outsider",
        lambda w: w.agency.pk,
        page=lambda w: reverse("applications:agency_find") + f"?identifier={w.agency.ori}",
    ),
    *(
        _site(
            f"applications:membership_{action}",
            "applicant",
            lambda w: w.agency.pk,
            lambda w: w.joiner.pk,
            page=_agency_page,
        )
        for action in ("approve", "decline")
    ),
    _site(
        "applications:membership_roles",
        "applicant",
        lambda w: w.agency.pk,
        lambda w: w.member_id,
        page=_agency_page,
    ),
    _site(
        "applications:membership_remove", "applicant", lambda w: w.agency.pk, lambda w: w.member_id
    ),
    _site(
        "applications:application_start",
        "applicant",
        lambda w: w.fresh_solicitation.pk,
        page=lambda w: reverse("applications:solicitation_detail", args=[w.fresh_solicitation.pk]),
    ),
    *(
        _site(
            "applications:application_section",
            "applicant",
            lambda w: w.draft.pk,
            lambda w, slug=section.slug: slug,
            label=f"section:{section.slug}",
        )
        for section in SECTIONS
    ),
    _site(
        "applications:application_submit",
        "applicant",
        lambda w: w.draft.pk,
        page=lambda w: reverse("applications:application_review", args=[w.draft.pk]),
    ),
    _site("applications:application_withdraw", "applicant", lambda w: w.draft.pk),
    _site(
        "applications:award_sign",
        "applicant",
        lambda w: w.offered.pk,
        page=lambda w: reverse("applications:award_detail", args=[w.offered.pk]),
    ),
    _site("applications:award_decline", "applicant", lambda w: w.offered.pk),
    _site("applications:hire_new", "applicant", lambda w: w.open_award.pk),
    _site("applications:drawdown_new", "applicant", lambda w: w.open_award.pk),
    _site("mou:award_mou", "applicant", lambda w: w.sro_award.pk),
    _site("training:session_detail", "applicant", lambda w: w.session.pk),
    _site("training:officer_add"),
    _site("training:officer_edit", "applicant", lambda w: w.officer.pk),
    _site("training:officer_remove", "applicant", lambda w: w.officer.pk),
    _site("training:enrollment_cancel", "applicant", lambda w: w.enrollment.pk),
]


def _admin(name: str, *args: Callable[[World], object], persona: str = "superuser"):
    return _site(f"admin:{name}", persona, *args)


def _first_line(w: World) -> int:
    return PlanLine.objects.filter(plan=w.plan).order_by("rank").first().application_id


ADMIN_CUSTOM: list[Entry] = [
    _admin("password_change"),
    _admin("auth_user_password_change", lambda w: w.applicant.pk),
    _admin("applications_agency_verify", lambda w: pending_agency(w)),
    _admin("applications_application_screen", lambda w: w.submitted.pk),
    _admin("applications_application_return", lambda w: w.submitted.pk),
    _admin("applications_reviewassignment_review", lambda w: w.assignment.pk, persona="reviewer"),
    _admin(
        "applications_membership_revoke_representative",
        lambda w: w.agency.memberships.get(user=w.applicant).pk,
    ),
    _admin("applications_fundingplan_adjust", lambda w: w.plan.pk, _first_line),
    _admin("applications_fundingplan_approve", lambda w: w.plan.pk),
    _admin("applications_fundingplan_draft", lambda w: w.submitted.solicitation_id),
    _admin("applications_drawdown_approve", lambda w: w.drawdown.pk),
    _admin("applications_drawdown_reject", lambda w: w.drawdown.pk),
    _admin("mou_mouversion_review", lambda w: w.mou.pk),
    _admin("training_coursesession_roster", lambda w: w.session.pk),
    _admin("training_coursesession_cancel", lambda w: w.session.pk),
    _admin("training_coursesession_complete", lambda w: w.session.pk),
    _admin("applications_award_retry", lambda w: w.offered.pk, lambda w: 1),
    _admin("applications_award_reissue", lambda w: w.offered.pk),
    _admin("applications_award_make", lambda w: w.plan.pk),
    _admin("applications_fundingplan_release", lambda w: w.plan.pk),
    _admin("applications_solicitation_compute_scores", lambda w: w.submitted.solicitation_id),
]


def pending_agency(w: World) -> int:
    return Agency.objects.filter(verification_status=Agency.Verification.PENDING).first().pk


def admin_model_entries() -> list[Entry]:
    """The list (its actions form), add, change and delete pages of every model registered in
    the admin, the last three on its first row: those the superuser may post are fuzzed;
    read-only ones have no POST form."""
    entries = []
    for model in admin.site._registry:
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        for page in ("changelist", "add"):
            entries.append(Entry(f"{prefix}_{page}", "superuser",
                                 lambda w, n=f"{prefix}_{page}": reverse(n)))  # fmt: skip
        for page in ("change", "delete"):
            entries.append(
                Entry(f"{prefix}_{page}", "superuser",
                      lambda w, n=f"{prefix}_{page}", m=model: reverse(n, args=[first_pk(m)]))
            )  # fmt: skip
    return entries


def first_pk(model) -> int:
    row = model._default_manager.order_by("pk").first()
    return row.pk if row is not None else 0


CATALOGUE: list[Entry] = SITE + ADMIN_CUSTOM + admin_model_entries()

# Pages with a POST form that are not fuzzed here, and why.
NOT_FUZZED = {
    "verify_email_sent": "the 'Send the link again' button, shown only to the browser that has "
    "just signed up: no input",
    "logout": "the sign-out button in every page's header: no input",
    "admin:logout": "the admin's sign-out button: no input",
    "mfa_disable": "shown only to a non-staff user who turned two-step verification on and "
    "gave a code this session, which force_login does not make; its one field (the password) "
    "is tried by tests/copsgrants/test_mfa_account.py",
    "mfa_key_remove": "shown only to a user with a security key, which a browser's WebAuthn "
    "ceremony makes; its fields (a key of the user's own, the password) are tried by "
    "tests/copsgrants/test_mfa_keys.py",
}


# Reading a page's form --------------------------------------------------------------------


@dataclass
class PageForm:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # what a browser sends
    kinds: dict[str, str] = field(default_factory=dict)  # name -> text|number|date|choice|file
    choices: dict[str, list[str]] = field(default_factory=dict)
    multipart: bool = False


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self.current: PageForm | None = None
        self.select: str | None = None
        self.selected: list[str] = []
        self.options: list[str] = []
        self.textarea: str | None = None
        self.text = ""
        self.button_seen = False

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self.current = PageForm(
                    action=a.get("action", ""),
                    multipart=a.get("enctype", "") == "multipart/form-data",
                )
                self.forms.append(self.current)
                self.button_seen = False
            return
        form = self.current
        if form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                form.kinds[name] = "choice"
                form.choices.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    form.fields.append((name, a.get("value", "on")))
            elif kind in ("submit", "image", "button", "reset"):
                if kind == "submit" and not self.button_seen:
                    self.button_seen = True
                    form.fields.append((name, a.get("value", "")))
            elif kind == "file":
                form.kinds[name] = "file"
            else:
                form.kinds[name] = _kind(name, kind, a.get("value", ""))
                form.fields.append((name, a.get("value", "")))
        elif tag == "button" and name and a.get("type", "submit") == "submit":
            if not self.button_seen:
                self.button_seen = True
                form.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self.select, self.selected, self.options = name, [], []
            form.kinds[name] = "choice"
        elif tag == "option" and self.select:
            self.options.append(a.get("value", ""))
            if "selected" in a:
                self.selected.append(a.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""
            form.kinds[name] = "text"

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        form = self.current
        if tag == "form":
            self.current = None
        elif form and tag == "select" and self.select:
            form.choices[self.select] = self.options
            chosen = self.selected or self.options[:1]
            form.fields += [(self.select, value) for value in chosen]
            self.select = None
        elif form and tag == "textarea" and self.textarea:
            form.fields.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None


def _kind(name: str, input_type: str, value: str) -> str:
    if input_type == "number" or re.fullmatch(r"-?\d+(\.\d+)?", value or "x"):
        return "number"
    if input_type == "date" or re.search(r"(date|_on$|_at_0$|start|end|deadline)", name):
        return "date"
    return "text"


def page_forms(html: str) -> list[PageForm]:
    parser = _FormParser()
    parser.feed(html)
    return [f for f in parser.forms if "logout" not in f.action]


def page_form(html: str, target: str) -> PageForm | None:
    """The page's POST form that posts to `target` (a path): the one with most fields."""
    forms = [f for f in page_forms(html) if urlsplit(f.action).path in ("", target)]
    return max(forms, key=lambda f: len(f.kinds) + len(f.fields)) if forms else None
