"""Hostile input against every POST form of the site and the admin (form_catalogue.py): each
form's own fields, as the page shows them, mutated by Hypothesis: arbitrary and control-character
text, 1 MB strings, negative and enormous numbers, impossible dates, missing fields and fields
sent twice. No answer is a server error, and an answer that is not a redirect (a page with the
errors) has changed nothing in the database."""

from __future__ import annotations

import os
import time

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.mou.pdfs import valid_pdf

from .form_catalogue import ADMIN_CUSTOM, CATALOGUE, SITE, Entry, PageForm, page_form
from .world import World, build_world

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script>\"'><img src=x onerror=1>"
HUGE = "x" * 1_000_000

TEXT = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=200),
    st.text(st.characters(max_codepoint=0x1F), max_size=20),  # NUL and control characters
    st.sampled_from(["", " ", "\x00", "a\x00b", "\r\n", XSS, "‮evil", "☃" * 5000, "null", HUGE]),
)
NUMBER = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["-1", "0", "1e30", "-1e30", "NaN", "Infinity", "1,000", "٣", "0x1F",
                     "1" * 400, "99999999999999999999.999", "-0.001", "1e-30"]),
)  # fmt: skip
DATE = st.one_of(
    st.sampled_from(["2026-02-30", "99999-01-01", "0000-00-00", "2026-13-01", "02/30/2026",
                     "-2026-01-01", "2026-01-01T99:00", "tomorrow", "1-1-1"]),
    st.dates().map(str),
)  # fmt: skip
BY_KIND = {"text": TEXT, "number": NUMBER, "date": DATE}
ANY = st.one_of(TEXT, NUMBER, DATE)

# A failed post may change no row of these tables (sessions and login throttling are not the
# form's business) ...
WATCHED = [
    m for m in apps.get_models()
    if m._meta.app_label in ("applications", "mou", "training", "copsgrants", "post_office")
    or m._meta.label in ("auth.Group", "admin.LogEntry")
]  # fmt: skip
# ... compared row by row for the rows forms edit, and by count for the append-only ones
# (history, audit events, email), which is all a failed post could do to them.
APPEND_ONLY = ("Historical", "AuditEvent", "Log", "Email", "Attachment", "LogEntry")
# More examples per form for a deeper run: COPSGRANTS_FUZZ_SCALE=10 (the default, 1, keeps the
# module near 90 s on an idle 2-core machine).
SCALE = max(1, int(os.environ.get("COPSGRANTS_FUZZ_SCALE", "1") or 1))


def snapshot() -> dict[str, object]:
    state: dict[str, object] = {}
    for model in WATCHED:
        rows = model._default_manager.order_by("pk")
        if model.__name__.startswith(APPEND_ONLY):
            state[model._meta.label] = rows.count()
        else:
            state[model._meta.label] = list(rows.values_list())
    return state


def mutations(form: PageForm) -> st.SearchStrategy:
    # A bare confirmation button sends no field: post it with an unexpected one.
    names = sorted({name for name, _ in form.fields} | set(form.kinds)) or ["unexpected"]

    def value_for(name: str) -> st.SearchStrategy:
        kind = form.kinds.get(name, "text")
        if kind == "choice":
            return st.one_of(st.sampled_from(form.choices.get(name) or [""]), ANY)
        return st.one_of(BY_KIND.get(kind, TEXT), ANY)

    one = st.sampled_from(names).flatmap(
        lambda name: st.one_of(
            st.tuples(st.just("set"), st.just(name), value_for(name)),
            st.tuples(st.just("drop"), st.just(name), st.none()),
            st.tuples(st.just("twice"), st.just(name), value_for(name)),
        )
    )
    # Or every field at once gets a hostile value of its kind.
    every = st.tuples(*(st.tuples(st.just("set"), st.just(n), value_for(n)) for n in names))
    return st.one_of(st.lists(one, min_size=1, max_size=4), every.map(list))


def apply(form: PageForm, changes) -> dict[str, list]:
    data: dict[str, list] = {}
    for name, value in form.fields:
        data.setdefault(name, []).append(value)
    for op, name, value in changes:
        if op == "set":
            data[name] = [value]
        elif op == "drop":
            data.pop(name, None)
        else:
            data[name] = [*data.get(name, []), value]
    for name, kind in form.kinds.items():
        if kind == "file" and name in data:
            data[name] = [SimpleUploadedFile("x.pdf", str(data[name][0]).encode()[:10_000])]
        elif kind == "file" and not any(c[1] == name for c in changes):
            data[name] = [SimpleUploadedFile("mou.pdf", valid_pdf(), "application/pdf")]
    return data


def login(client: Client, world: World, persona: str) -> None:
    if persona != "anonymous":
        client.force_login(
            getattr(world, persona), backend="django.contrib.auth.backends.ModelBackend"
        )


def fuzz(world: World, entry: Entry, examples: int) -> int:
    """Post `examples` hostile variants of the entry's form; each in a transaction rolled back
    afterwards, so every example starts from the same world. Returns how many were posted (0
    when the persona sees no form: a read-only admin model)."""
    client = Client(raise_request_exception=False)
    login(client, world, entry.persona)
    target = entry.url(world)
    response = client.get((entry.page or entry.url)(world), follow=True)
    if entry.page is None:
        target = response.request["PATH_INFO"]
    form = page_form(response.text, target) if response.status_code == 200 else None
    if form is None:
        print(entry.id, response.status_code, response.request["PATH_INFO"], target)
        return 0
    posted = []

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(changes=mutations(form))
    def run(changes):
        data = apply(form, changes)
        with transaction.atomic():
            login(client, world, entry.persona)
            before = snapshot()
            answer = client.post(target, data)
            assert answer.status_code != 500, (entry.id, changes)
            if answer.status_code not in (301, 302, 303):
                assert snapshot() == before, (entry.id, answer.status_code, changes)
            posted.append(answer.status_code)
            transaction.set_rollback(True)

    run()
    return len(posted)


def run_all(agency, applicant, entries: list[Entry], examples: int) -> dict[str, int]:
    world = build_world(agency, applicant)
    posted = {}
    for entry in entries:
        started = time.monotonic()
        posted[entry.id] = fuzz(world, entry, examples)
        print(f"{entry.id}: {posted[entry.id]} posts in {time.monotonic() - started:.2f}s")
    return posted


def test_no_site_form_errors_or_saves_on_hostile_input(agency, applicant):
    posted = run_all(agency, applicant, SITE, examples=3 * SCALE)
    assert all(posted.values()), posted  # every site form was reached and posted


def test_no_custom_admin_form_errors_or_saves_on_hostile_input(agency, applicant):
    posted = run_all(agency, applicant, ADMIN_CUSTOM, examples=3 * SCALE)
    assert all(posted.values()), posted


ADMIN_MODEL_PAGES = [e for e in CATALOGUE if e not in SITE and e not in ADMIN_CUSTOM]


def test_no_admin_add_change_list_or_delete_page_errors_on_hostile_input(agency, applicant):
    posted = run_all(agency, applicant, ADMIN_MODEL_PAGES, examples=SCALE)
    # Read-only models show no form; the editable ones must have been posted.
    for page in ("applications_agency_change", "applications_solicitation_add",
                 "training_coursesession_add", "training_officer_change"):  # fmt: skip
        assert posted[f"admin:{page}"], posted
