"""The application list's actions bar draws the action form's fields once per set of actions:
the markup must be Django's actions.html's, for every set of actions a staff member can have,
and another set of actions (a permission granted) must show on the next page."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.template import engines
from django.test import RequestFactory

from applications.models import Application
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

ACTIONS = ["return_application", "assign_reviewers"]


def actions_bar_context(rf: RequestFactory, user) -> dict:
    request = rf.get("/admin/applications/application/")
    request.user = user
    model_admin = admin.site._registry[Application]
    cl = model_admin.get_changelist_instance(request)
    action_form = model_admin.action_form(auto_id=None)
    action_form.fields["action"].choices = model_admin.get_action_choices(request)
    return {"action_form": action_form, "cl": cl, "actions_selection_counter": True,
            "selection_note": "0 of 1 selected", "module_name": "applications"}  # fmt: skip


def draw_both(context: dict) -> tuple[str, str]:
    engine = engines["django"]
    djangos = engine.get_template("admin/actions.html")  # Django's own: ours is per model
    ours = engine.get_template("admin/applications/application/actions.html")
    return ours.render(dict(context)), djangos.render(dict(context))


@pytest.mark.parametrize("codenames", [[], ACTIONS[:1], ACTIONS[1:], ACTIONS])
def test_the_actions_bar_is_the_one_django_draws(rf, codenames):
    ApplicationFactory()
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="view_application"),
        *Permission.objects.filter(codename__in=codenames),
    )
    context = actions_bar_context(rf, user)
    for _ in range(2):  # drawn, then kept
        ours, djangos = draw_both(context)
        assert ours == djangos
    assert ("Return for corrections" in ours) == ("return_application" in codenames)
    assert ("Assign reviewers" in ours) == ("assign_reviewers" in codenames)


def test_a_granted_action_shows_on_the_next_page(rf):
    ApplicationFactory()
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_application"))
    assert "Return for corrections" not in draw_both(actions_bar_context(rf, user))[0]
    user = type(user).objects.get(pk=user.pk)  # a new request reads the permissions anew
    user.user_permissions.add(Permission.objects.get(codename="return_application"))
    user = type(user).objects.get(pk=user.pk)
    assert "Return for corrections" in draw_both(actions_bar_context(rf, user))[0]


def test_a_bound_form_is_drawn_as_it_is(rf):
    ApplicationFactory()
    context = actions_bar_context(rf, UserFactory(is_staff=True, is_superuser=True))
    form = admin.site._registry[Application].action_form({"action": "assign_reviewers"})
    form.fields["action"].choices = context["action_form"].fields["action"].choices
    context["action_form"] = form
    ours, djangos = draw_both(context)
    assert ours == djangos and "selected" in ours
