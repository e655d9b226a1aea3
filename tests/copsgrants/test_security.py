import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

# Views that anyone may open without signing in. Everything else must send them to sign in.
PUBLIC = {
    "home",
    "favicon",
    "healthz",
    "register",
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "verify_email_sent",
    "verify_email",
    "verify_email_resend",
    "verify_email_resend_done",
    "oidc_authentication_init",
    "oidc_authentication_callback",
    "admin:login",
    "admin:logout",
    "admin:view_on_site",
    "admin:password_reset",
    "admin:javascript-catalog",
    "applications:solicitation_list",
    "applications:solicitation_detail",
    "applications:verify_letter",
    "training_certificates:verify",
}


def walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            full_ns = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else ns
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), full_ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name, prefix + str(entry.pattern)


def concrete(route: str) -> str:
    """Fill a route's converters and regex groups with plausible values."""
    route = re.sub(r"<int:\w+>", "1", route)
    route = re.sub(r"<path:\w+>", "x/y", route)
    route = re.sub(r"<(?:str:|slug:)?\w+>", "x", route)
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    route = route.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + route


ROUTES = sorted(set(walk(get_resolver().url_patterns)), key=lambda r: r[1])


@pytest.mark.parametrize(("name", "route"), ROUTES, ids=[r[1] or "/" for r in ROUTES])
def test_every_url_needs_sign_in_unless_it_is_public(client, name, route):
    url = concrete(route)
    response = client.get(url)
    if name in PUBLIC:
        assert response.status_code != 500
        return
    assert response.status_code == 302, f"{url} ({name}) answered {response.status_code}"
    assert "login" in response.url


def test_pages_carry_strict_security_headers(client):
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", ["home", "login", "register", "password_reset"])
def test_public_pages_have_no_inline_scripts_or_third_party_assets(client, name):
    html = client.get(reverse(name)).text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts, "the USWDS script should be on every page"
    for attrs, body in scripts:
        assert 'src="/static/' in attrs
        assert body.strip() == ""
    assert not re.search(r"""(?:src|href)=["']https?://""", html)
    assert " style=" not in html
    assert "onclick" not in html.lower()


def post_forms(html: str) -> list[str]:
    return [
        f for f in re.findall(r"<form[^>]*>.*?</form>", html, flags=re.S) if 'method="post"' in f
    ]


def test_every_post_form_carries_a_csrf_token(client, signed_in, applicant, agency):
    pages = [reverse("login"), reverse("register"), reverse("password_reset")]
    forms = [form for url in pages for form in post_forms(client.get(url).text)]
    client = signed_in(applicant)
    for url in (
        reverse("applications:agency_create"),
        reverse("applications:agency_detail", args=[agency.pk]),
        reverse("applications:agency_edit", args=[agency.pk]),
    ):
        forms += post_forms(client.get(url).text)
    assert len(forms) >= 7
    for form in forms:
        assert "csrfmiddlewaretoken" in form, form[:200]


def test_the_page_shell_has_the_government_banner_skip_link_and_footer(client):
    html = client.get(reverse("home")).text
    assert 'class="usa-skipnav" href="#main-content"' in html
    assert "An official website of the United States government" in html
    assert 'id="main-content"' in html
    assert "usa-footer" in html
    assert "School Resource Officer" in html
