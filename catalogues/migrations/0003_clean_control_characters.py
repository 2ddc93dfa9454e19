"""Clean the text stored before control characters were refused (issue 31): one U+000B in a summary
took every feed offline. Imported text is where they came from, hence this migration's place here.

Control characters other than tab and newline are removed; a line break in a one-line field (a
CharField) becomes a space. Rows are updated in place (no save(): no new version, no history row).
The rules are copied from communs/text.py as they were written, so that this migration keeps
meaning the same thing when that module changes.
"""

import re

from django.db import migrations, models

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ONE_SPACE = re.compile(r"\s*\n\s*")

MODELS = [
    ("initiatives", "Initiative"),
    ("initiatives", "Sector"),
    ("initiatives", "CriterionAssessment"),
    ("initiatives", "Involvement"),
    ("actors", "Actor"),
    ("funding", "FundingScheme"),
    ("funding", "FundingEdition"),
    ("funding", "Award"),
]


def clean(value, one_line):
    value = CONTROL_CHARACTERS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    if one_line and "\n" in value:
        value = ONE_SPACE.sub(" ", value).strip()
    return value


def clean_stored_text(apps, schema_editor):
    for app_label, name in MODELS:
        model = apps.get_model(app_label, name)
        fields = [f for f in model._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField))]
        for row in model._base_manager.values("pk", *(f.attname for f in fields)).iterator():
            changes = {}
            for field in fields:
                value = row[field.attname]
                if isinstance(value, str):
                    cleaned = clean(value, one_line=isinstance(field, models.CharField))
                    if cleaned != value:
                        changes[field.attname] = cleaned
            if changes:
                model._base_manager.filter(pk=row["pk"]).update(**changes)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogues", "0002_cite_source_records"),
        ("initiatives", "0013_territory_moves_to_territories"),
        ("actors", "0006_territory_moves_to_territories"),
        ("funding", "0004_territory_moves_to_territories"),
    ]

    operations = [migrations.RunPython(clean_stored_text, migrations.RunPython.noop)]
