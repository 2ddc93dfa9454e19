"""Fill a database with N published initiatives, fast, for the benchmarks (and a test keeps it working).

`populate(n)` writes through the real models with bulk_create, in batches: 100,000 initiatives take a
few minutes. bulk_create bypasses save() and signals, so the generator does their work itself: it
renders each description's HTML (communs.markdown) and, when the project has a
`rebuild_search_index` command, runs it once at the end. Everything is published, as the public sees it.
"""

import random
import re
import sys

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command, get_commands
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from actors.models import Actor
from benchmarks.vocabulary import (
    AUDIENCES,
    COMMON_WORDS,
    DOMAINS,
    LICENCES,
    LOCAL_ACTORS,
    NATIONAL_ACTORS,
    OBJECTS,
    PLACES,
    SEARCH_WORDS,
    SECTORS,
    TAGS,
    VERBS,
)
from communs.markdown import render_markdown
from initiatives.models import Initiative, Involvement, Sector
from territories.models import Territory

PUBLISHED = Initiative.PublicationStatus.PUBLISHED
BATCH = 2000
SECOND_ROLES = ["maintainer", "funder", "contributor", "user", "incubator", "governance_partner"]
DEVELOPMENT_STATUSES = ["concept", "development", "beta", "stable", "stable", "mature", "archived"]
STOPWORDS = {"de", "du", "des", "la", "le", "les", "l", "d", "à", "et", "en"}


def acronym_of(name):
    words = [w for w in re.split(r"[\s'’-]+", name) if w and w.lower() not in STOPWORDS]
    return "".join(w[0] for w in words).upper()


def reference_rows():
    """Sectors, regions, communes and tags, shared by every entry (created when missing)."""
    sectors = {slug: Sector.objects.get_or_create(slug=slug, defaults={"name": name})[0] for slug, name in SECTORS}
    regions = {}
    for region in sorted({region for _, _, region in PLACES}):
        regions[region] = Territory.objects.get_or_create(
            code=f"reg-{slugify(region)}", defaults={"name": region, "kind": Territory.Kind.REGION}
        )[0]
    communes = {}
    for name, insee, region in PLACES:
        communes[name] = Territory.objects.get_or_create(
            code=f"com-{insee}",
            defaults={"name": name, "kind": Territory.Kind.COMMUNE, "official_code": insee, "parent": regions[region]},
        )[0]
    tags = [Tag.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0] for name in TAGS]
    return sectors, regions, communes, tags


def make_actors(count, rng, now):
    """National actors, then local ones (a pattern around each commune) until there are `count`."""
    rows = [(name, acronym, kind) for name, acronym, kind in NATIONAL_ACTORS]
    local = [
        (pattern.format(place=place), kind, letters + place[:3].upper())
        for pattern, kind, letters in LOCAL_ACTORS
        for place, _, _ in PLACES
    ]
    rng.shuffle(local)
    rows += [(name, acronym, kind) for name, kind, acronym in local]
    actors, start = [], Actor.objects.count()
    for i in range(max(count, 10)):
        name, acronym, kind = rows[i % len(rows)]
        if i >= len(rows):  # more actors than patterns: numbered branches ("Ville de Brest 2")
            name, acronym = f"{name} {i // len(rows) + 1}", f"{acronym}{i // len(rows) + 1}"
        actors.append(
            Actor(
                name=name,
                acronym=acronym,
                slug=f"{slugify(name)}-{start + i}",
                kind=kind,
                description=f"{name} ({acronym}) contribue à des communs numériques.",
                description_html=f"<p>{name} ({acronym}) contribue à des communs numériques.</p>",
                publication_status=PUBLISHED,
                status_changed_at=now,
                reviewed_at=now,
            )
        )
    return Actor.objects.bulk_create(actors, batch_size=BATCH)


# The "Thèmes" vocabulary by rank: the common words, made-up words up to rank 35, the search words
# (ranks 36 to 60), then a tail of made-up words. A word of rank r is in an entry with probability
# ZIPF_TOP * 3 / r (the first three: ZIPF_TOP), so that the search words are each in 3 to 5 %.
ZIPF_TOP = 0.6
ZIPF_WORDS = 600
SYLLABLES = ["ba", "co", "di", "fu", "ga", "lo", "mi", "no", "pa", "ri", "su", "ta", "vo", "ze"]


def made_up(rank):
    word = ""
    while True:
        word += SYLLABLES[rank % len(SYLLABLES)]
        rank //= len(SYLLABLES)
        if not rank:
            return word + "que"


THEMES = [
    *COMMON_WORDS,
    *[made_up(rank) for rank in range(4, 36)],
    *SEARCH_WORDS,
    *[made_up(rank) for rank in range(61, ZIPF_WORDS + 1)],
]
THEME_FREQUENCY = [min(ZIPF_TOP, ZIPF_TOP * 3 / rank) for rank in range(1, len(THEMES) + 1)]


def themes(rng):
    """The words of one entry's "Thèmes" line, each drawn with its Zipf frequency."""
    return [word for word, frequency in zip(THEMES, THEME_FREQUENCY, strict=True) if rng.random() < frequency]


def compose(i, rng, carrier, partner):
    """The texts of initiative number i: its primary domain cycles, so every domain is used evenly."""
    domain, phrase, sector = DOMAINS[i % len(DOMAINS)]
    other_domain, other_phrase, other_sector = rng.choice(DOMAINS)
    obj, kind = rng.choice(OBJECTS)
    place, _, region = rng.choice(PLACES)
    scope = rng.choices(["local", "regional", "national"], weights=[6, 2, 2])[0]
    if scope == "local":
        name = f"{obj} {phrase} de {place}"
    elif scope == "regional":
        name = f"{obj} {phrase} en {region}"
    else:
        name = f"{obj} {phrase}"
    audience = rng.choice(AUDIENCES)
    summary = f"{obj} ouvert {phrase}, mutualisé pour {audience} ({place}, {region})."[:200]
    licence = rng.choice(LICENCES)
    verbs = rng.sample(VERBS, 3)
    description = "\n\n".join(
        [
            f"**{name}** est un commun {phrase} porté par {carrier.name} ({carrier.acronym}), "
            f"avec {partner.name}. Il sert {audience} de {place} et de la région {region}.",
            f"Il permet de {verbs[0]} les informations {phrase}, de les {verbs[1]} avec celles {other_phrase} "
            f"et de {verbs[2]} leur évolution d'une année sur l'autre. Les informations sont publiées en open data "
            "et documentées pour que d'autres collectivités les réutilisent.",
            f"Le projet accueille les contributions : signalez un problème, proposez une amélioration ou "
            f"rejoignez le groupe de travail. {f'Licence : {licence}.' if licence else ''}",
            f"Thèmes : {', '.join(themes(rng))}.",
        ]
    )
    return {
        "name": name,
        "summary": summary,
        "description": description,
        "kind": kind,
        "licence": licence,
        "scope": scope,
        "place": place,
        "region": region,
        "sectors": list(dict.fromkeys([sector, other_sector])),
    }


def populate(n, seed=1, log=None):
    """Create n published initiatives (and their actors, sectors, territories, tags); return a summary."""
    batch = Batch(random.Random(seed), max(n // 25, 30))
    for start in range(0, n, BATCH):
        with transaction.atomic():
            batch.write(range(start, min(start + BATCH, n)))
        if log:
            log(f"  {min(start + BATCH, n)} / {n}")
    if "rebuild_search_index" in get_commands():
        call_command("rebuild_search_index", stdout=sys.stderr)  # stdout may be --json
    # Statistics for the planner, as a live database has them (autovacuum on PostgreSQL); without
    # them both databases choose poor plans for freshly bulk-loaded tables.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"initiatives": n, "actors": len(batch.actors), "sectors": len(batch.sectors), "tags": len(batch.tags)}


class Batch:
    """What every batch shares: the random generator, the reference rows, the actors."""

    def __init__(self, rng, actor_count):
        self.rng, self.now = rng, timezone.now()
        self.sectors, self.regions, self.communes, self.tags = reference_rows()
        self.actors = make_actors(actor_count, rng, self.now)
        self.content_type = ContentType.objects.get_for_model(Initiative)
        # Numbers continue after the entries already there, so that slugs never clash.
        self.first = Initiative.objects.count()

    def write(self, numbers):
        rng, entries = self.rng, []
        for i in numbers:
            carrier, partner = rng.sample(self.actors, 2)
            texts = compose(i, rng, carrier, partner)
            # One to three sectors: the two domains' own, and sometimes one more.
            if len(texts["sectors"]) < 3 and rng.random() < 0.3:
                texts["sectors"] = list(dict.fromkeys([*texts["sectors"], rng.choice(list(self.sectors))]))
            texts["carrier"], texts["partner"] = carrier, partner
            entries.append(texts)
        objects = Initiative.objects.bulk_create(
            [self.initiative(number, texts) for number, texts in zip(numbers, entries, strict=True)],
            batch_size=BATCH,
        )
        self.links(objects, entries)

    def initiative(self, i, texts):
        rng, number = self.rng, self.first + i
        return Initiative(
            name=texts["name"],
            slug=f"{slugify(texts['name'])[:180]}-{number}",
            summary=texts["summary"],
            description=texts["description"],
            description_html=render_markdown(texts["description"]),
            kind=texts["kind"],
            development_status=rng.choice(DEVELOPMENT_STATUSES),
            licence=texts["licence"],
            territorial_scope=texts["scope"],
            launch_year=rng.randint(2005, 2025),
            website=f"https://{slugify(texts['name'])[:50]}-{number}.example.org/",
            repository_url=f"https://git.example.org/communs/{number}" if texts["kind"] == "software" else "",
            publication_status=PUBLISHED,
            status_changed_at=self.now,
            reviewed_at=self.now,
        )

    def links(self, objects, entries):
        rng = self.rng
        sector_link, territory_link = Initiative.sectors.through, Initiative.territories.through
        sectors, territories, involvements, tagged = [], [], [], []
        for obj, texts in zip(objects, entries, strict=True):
            sectors += [sector_link(initiative_id=obj.pk, sector_id=self.sectors[s].pk) for s in texts["sectors"]]
            if texts["scope"] == "local":
                territories.append(territory_link(initiative_id=obj.pk, territory_id=self.communes[texts["place"]].pk))
            elif texts["scope"] == "regional":
                territories.append(territory_link(initiative_id=obj.pk, territory_id=self.regions[texts["region"]].pk))
            involvements.append(Involvement(initiative_id=obj.pk, actor=texts["carrier"], role="carrier"))
            involvements.append(
                Involvement(initiative_id=obj.pk, actor=texts["partner"], role=rng.choice(SECOND_ROLES))
            )
            tagged += [
                TaggedItem(content_type=self.content_type, object_id=obj.pk, tag=tag)
                for tag in rng.sample(self.tags, rng.randint(0, 2))
            ]
        sector_link.objects.bulk_create(sectors, batch_size=BATCH)
        territory_link.objects.bulk_create(territories, batch_size=BATCH)
        Involvement.objects.bulk_create(involvements, batch_size=BATCH)
        TaggedItem.objects.bulk_create(tagged, batch_size=BATCH)
