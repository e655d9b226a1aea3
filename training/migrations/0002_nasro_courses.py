"""The NASRO course catalogue (DOMAIN.md, "NASRO training"). Editable afterwards in the admin;
running this again changes nothing."""

from django.db import migrations

COURSES = [
    (
        "basic-sro",
        "Basic School Resource Officer",
        40,
        "NASRO's foundational course for officers new to schools: the SRO's three roles "
        "(law-enforcement officer, informal counselor, educator), school law, working with "
        "students with special needs, and building partnerships with school staff.",
        [],
    ),
    (
        "advanced-sro",
        "Advanced School Resource Officer",
        24,
        "For experienced SROs: threat assessment, emergency operations planning, social media "
        "and technology, and sustaining the school partnership. Requires the Basic course.",
        ["basic-sro"],
    ),
    (
        "sro-supervisors",
        "SRO Supervisors and Management",
        24,
        "Three days for supervisors and managers of SRO programs: selecting and evaluating "
        "SROs, the MOU with the school partner, and program accountability.",
        [],
    ),
    (
        "school-security-officer",
        "School Security Officer",
        24,
        "For school security staff who are not sworn officers: roles, de-escalation, and "
        "working with the school's SRO and administrators.",
        [],
    ),
    (
        "cpted",
        "Crime Prevention Through Environmental Design (CPTED)",
        16,
        "Assessing school buildings and grounds: natural surveillance, access control, "
        "territorial reinforcement and maintenance.",
        [],
    ),
    (
        "adolescent-mental-health",
        "Adolescent Mental Health",
        8,
        "Recognising signs of mental-health crises in adolescents, de-escalation, and "
        "connecting students with school and community services.",
        [],
    ),
]


def seed_courses(apps, schema_editor):
    Course = apps.get_model("training", "Course")
    by_code = {}
    for code, title, hours, description, _ in COURSES:
        by_code[code], _ = Course.objects.get_or_create(
            code=code, defaults={"title": title, "hours": hours, "description": description}
        )
    for code, *_, prerequisites in COURSES:
        for prerequisite in prerequisites:
            by_code[code].prerequisites.add(by_code[prerequisite])


class Migration(migrations.Migration):
    dependencies = [("training", "0001_training")]

    operations = [migrations.RunPython(seed_courses, migrations.RunPython.noop)]
