"""The snapshot of real catalogues that the demo loads (`manage.py load_demo_data`, hence `make run`).

Each import reads the files the project ships in data/ (data/README.md gives their origin and
licence), in this order: the SILL first (its ids are the strongest identifiers), then the registries
that may name the same software, then code.gouv.fr's organisations, then publiccode.yml files.
"""

from django.core.management import call_command

DEMO_IMPORTS = [
    ("import_sill",),
    ("import_dpg",),  # the Digital Public Goods registry's nominees and screenings
    ("import_organisations",),  # code.gouv.fr's public organisations and OSPOs
    ("import_repositories",),  # code.gouv.fr's public-sector repositories with a community (50 stars)
    ("import_publiccode",),  # code.gouv.fr's "awesome" selection, published
    # Real files from public repositories, several not following the standard: read leniently, and
    # left as drafts (CATALOGUE_PUBLICATION["publiccode"]) for a curator to review.
    ("import_publiccode", "publiccode/real", "--lenient", "--source", "publiccode"),
]


def import_demo_catalogues(stdout=None, verbosity=1):
    from django.conf import settings

    for command, *args in DEMO_IMPORTS:
        args = [str(settings.DATA_DIR / arg) if "/" in arg else arg for arg in args]
        call_command(command, *args, stdout=stdout, verbosity=verbosity)
