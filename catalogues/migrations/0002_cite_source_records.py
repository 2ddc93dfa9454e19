"""Citations of the five seed documents by file name become citations of Source records.

The demo data used to cite the project's source articles by their file names ("000_….txt"); each
becomes a Source record (title, publisher, date, link, licence) and every `sources` list citing it,
history included, names the record's key instead.
"""

from django.db import migrations

SEED_SOURCES = {
    "000_404ba8fd69e96db8.txt": {
        "key": "berge-2025-gouvernance-numerique-communs",
        "title": "Du New Public Management à la Gouvernance à l'Ère Numérique : Quelle Place pour les Communs ?",
        "publisher": "Communs numériques (A. Berge)",
        "date": "2025",
        "url": "https://communs-numeriques.fr/articles/npm-gouvernance-ere-numerique-communs.html",
    },
    "001_32650449a7423ebd.txt": {
        "key": "fabmob-2024-communs-numeriques-en-vogue",
        "title": "Les communs numériques en vogue : Vers une politique publique ambitieuse ?",
        "publisher": "La Fabrique des Mobilités (M. Grandjean)",
        "date": "2024-07-19",
    },
    "002_df22a215291b5ecd.txt": {
        "key": "communs-numeriques-souverainete-europeenne",
        "title": "Article sur les communs numériques et la souveraineté européenne",
    },
    "003_5b850e168406f36a.txt": {
        "key": "numerique-ethique-2022-biens-communs-democraties",
        "title": "Comment les biens communs numériques font du bien à nos démocraties",
        "publisher": "Numérique Éthique",
        "date": "2022-04-28",
    },
    "004_f848d1daa0fd2039.txt": {
        "key": "sciences-po-politiques-locales-communs-brest-grenoble",
        "title": "Les politiques publiques locales en faveur des communs numériques et leurs effets. "
        "Comparaison entre Brest et Grenoble",
        "publisher": "Sciences Po, Chaire Villes et numérique",
        "licence": "CC-BY-SA-4.0",
    },
}


def cite_records(apps, schema_editor):
    Source = apps.get_model("communs", "Source")
    for model in apps.get_models():
        if not any(field.name == "sources" for field in model._meta.concrete_fields):
            continue
        for obj in model._base_manager.exclude(sources=[]).only("pk", "sources").iterator():
            changed = False
            for item in obj.sources:
                seed = SEED_SOURCES.get(item.get("document")) if isinstance(item, dict) else None
                if seed:
                    fields = {name: value for name, value in seed.items() if name != "key"}
                    Source.objects.get_or_create(key=seed["key"], defaults=fields)
                    del item["document"]
                    item["source"] = seed["key"]
                    changed = True
            if changed:
                model._base_manager.filter(pk=obj.pk).update(sources=obj.sources)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogues", "0001_initial"),
        ("communs", "0002_source"),
        ("initiatives", "0010_published_by_name_index"),
        ("actors", "0004_rendered_markdown"),
        ("funding", "0002_rendered_markdown"),
    ]

    operations = [migrations.RunPython(cite_records, migrations.RunPython.noop)]
