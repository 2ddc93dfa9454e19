"""Facts derived from the sources: what a catalogue's classification, an address, a licence or the
actors involved already say about a commons, written on it with the rule and the source that say so.

Every import runs it on the entries it wrote (catalogues/importing.py), `derive_facts` on all of
them. The rules are plain functions below; the classification lines (a SILL component, a forge
organisation, a DPG goal … → a category or a sector) are in one reviewable file,
data/derivation/mapping.csv, each line tested.

What a derived value may do is decided by `initiatives.models.Derivation`'s rules: it fills what is
empty and never overrides a curator, and a value rejected once stays rejected.
"""

import csv
import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import router, transaction
from django.db.models import Prefetch
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext_noop

from actors.models import Actor
from catalogues.models import Record
from communs.models import Source
from communs.validators import is_open_licence
from initiatives.models import Category, CriterionAssessment, Derivation, Initiative, Involvement, Sector
from territories.models import Territory

MAPPING_FILE = "derivation/mapping.csv"
# The rules a mapping line may name, and where each reads its value: (source key, what is read).
MAPPING_RULES = {
    "sill-component": ("sill", "la rubrique du SILL"),
    "sill-service-software": ("sill-services", "le logiciel du service"),
    "forge-organisation": ("codegouvfr-repositories", "l'organisation sur la forge"),
    "repository-topic": ("codegouvfr-repositories", "un sujet du dépôt"),
    "dpg-sector": ("dpg", "un secteur du registre DPG"),
    "dpg-sdg": ("dpg", "un objectif de développement durable"),
}
FACETS = {"category": Derivation.Fact.CATEGORY, "sector": Derivation.Fact.SECTOR}
SILL_PAGE = "https://code.gouv.fr/sill/detail?name={name}"
SPDX_PAGE = "https://spdx.org/licenses/{id}.html"
# Forges whose repositories have an issue tracker at <repository>/issues.
ISSUE_TRACKERS = re.compile(
    r"^(github\.com|gitlab\.com|framagit\.org|codeberg\.org|git\.sr\.ht|gitlab\.[\w.-]+|forge\.[\w.-]+)$"
)

# Actor kinds by what they say of where a commons is used and of its community.
STATE_KINDS = {Actor.Kind.STATE, Actor.Kind.AGENCY}
PUBLIC_KINDS = {
    Actor.Kind.STATE,
    Actor.Kind.AGENCY,
    Actor.Kind.LOCAL_AUTHORITY,
    Actor.Kind.EU_INSTITUTION,
    Actor.Kind.INTERNATIONAL,
}
FAMILIES = {
    **dict.fromkeys(PUBLIC_KINDS, "acteurs publics"),
    Actor.Kind.ASSOCIATION: "société civile",
    Actor.Kind.COMMUNITY: "société civile",
    Actor.Kind.FOUNDATION: "société civile",
    Actor.Kind.COMPANY: "entreprises",
    Actor.Kind.RESEARCH: "recherche",
}
# Catalogues that list only what French public bodies publish: what they list is the State's or a
# public body's, usable nationally unless a local authority carries it.
PUBLIC_SECTOR_CATALOGUES = {
    "codegouvfr-repositories": "dépôt d'un organisme public français (code.gouv.fr)",
    "awesome-codegouvfr": "logiciel libre du secteur public français (code.gouv.fr)",
    # The SILL's list of online services names the software French public bodies run for their users.
    "sill-services": "logiciel d'un service en ligne de l'administration française (SILL)",
}
# How an official territory's name is written in an actor's name ("Département de Loire-Atlantique").
NAME_PREFIXES = re.compile(
    r"^(département|departement|région|region|ville|commune|mairie|métropole|communauté d'agglomération"
    r"|communauté de communes)( de la| de l'| du| des| de| d')?\s*",
    re.IGNORECASE,
)
CARRYING_ROLES = (Involvement.Role.CARRIER, Involvement.Role.MAINTAINER)
LOCAL_LEVELS = {Territory.Kind.COMMUNE, Territory.Kind.EPCI, Territory.Kind.DEPARTEMENT, Territory.Kind.OTHER}
SCOPE_ORDER = [s.value for s in Initiative.Scope]  # local … international: the widest wins


@dataclass(frozen=True)
class MappingLine:
    number: int
    rule: str
    match: str
    facet: str
    target: str


def fold(text) -> str:
    return " ".join(str(text).lower().split())


@functools.cache
def mapping(path=None):
    """{(rule, folded value): [MappingLine]} from the mapping file; a bad line is an error that names it."""
    path = path or settings.DATA_DIR / MAPPING_FILE
    lines = defaultdict(list)
    with open(path, encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        for number, row in enumerate(rows, start=2):
            line = MappingLine(
                number, row["rule"].strip(), row["match"].strip(), row["facet"].strip(), row["target"].strip()
            )
            if line.rule not in MAPPING_RULES or line.facet not in FACETS or not line.match or not line.target:
                raise ValueError(f"{MAPPING_FILE}, ligne {number} : règle, valeur, facette ou cible invalide ({row}).")
            lines[line.rule, fold(line.match)].append(line)
    return dict(lines)


@dataclass
class Fact:
    fact: str
    value: str
    rule: str
    source: Source | None = None
    detail: str = ""
    label: str = ""
    url: str = ""


@dataclass
class DeriveReport:
    dry_run: bool = False
    entries: int = 0
    created: int = 0
    applied: list = field(default_factory=list)  # {"entry", "fact", "value"}
    rejected: list = field(default_factory=list)  # removed or changed by a curator since: never again
    by_rule: dict = field(default_factory=dict)
    touched: set = field(default_factory=set, repr=False)  # the entries written: their search documents

    def as_dict(self):
        return {
            "dry_run": self.dry_run,
            "entries": self.entries,
            "created": self.created,
            "applied": self.applied,
            "rejected": self.rejected,
            "by_rule": dict(sorted(self.by_rule.items())),
        }

    def lines(self):
        verb = "Simulation (rien n'est enregistré)" if self.dry_run else "Déduction"
        yield (
            f"{verb} sur {self.entries} fiches : {self.created} faits nouveaux, {len(self.applied)} appliqués, "
            f"{len(self.rejected)} retirés par un curateur depuis (désormais rejetés)."
        )
        for rule, count in sorted(self.by_rule.items()):
            yield f"  {rule} : {count}"


# --- The rules ----------------------------------------------------------------------------------


class Context:
    """What the rules read, loaded once for a run: the sources, the vocabularies, the records."""

    def __init__(self, initiatives):
        self.sources = {source.key: source for source in Source.objects.all()}
        self.categories = {category.slug: category for category in Category.objects.all()}
        self.sectors = {sector.slug: sector for sector in Sector.objects.all()}
        self.sector_of_scope = {
            sector.publiccode_scope: sector for sector in self.sectors.values() if sector.publiccode_scope
        }
        content_type = ContentType.objects.get_for_model(Initiative)
        self.records = defaultdict(list)
        ids = [initiative.pk for initiative in initiatives]
        for record in Record.objects.filter(content_type=content_type, object_id__in=ids).select_related("source"):
            self.records[record.object_id].append(record)
        self.territories_by_siren, self.territories_by_name = {}, defaultdict(list)
        self._territories_loaded = False
        # A SILL service names its software by SILL id: the software's entry, for its licence.
        self.software_by_sill_id = {
            entry.sill_id: entry
            for entry in Initiative.objects.filter(sill_id__isnull=False).only(
                "pk", "name", "slug", "licence", "sill_id"
            )
        }
        self.software_by_name = {fold(entry.name): entry for entry in self.software_by_sill_id.values()}

    def territories_by_code(self, additions):
        codes = additions.get(Derivation.Fact.TERRITORY, ())
        return {territory.code: territory for territory in Territory.objects.filter(code__in=codes)} if codes else {}

    def territory_of(self, actor):
        """(official territory, how it was matched) for a local authority: its own, by SIREN, or by
        its exact name once "Département de", "Ville de" … are set aside; (None, "") otherwise."""
        if actor.territory is not None:
            return actor.territory, "territoire de l'acteur"
        if not self._territories_loaded:
            wide = [Territory.Kind.WORLD, Territory.Kind.EUROPE, Territory.Kind.COUNTRY]
            for territory in Territory.objects.exclude(kind__in=wide):
                if territory.siren:
                    self.territories_by_siren[territory.siren] = territory
                self.territories_by_name[fold(territory.name)].append(territory)
            self._territories_loaded = True
        if actor.siren and actor.siren in self.territories_by_siren:
            return self.territories_by_siren[actor.siren], "SIREN"
        found = self.territories_by_name.get(fold(NAME_PREFIXES.sub("", actor.name)), [])
        if len(found) == 1:  # a name several communes share names none of them
            return found[0], "nom exact"
        return None, ""


def classification_facts(initiative, context):
    """Categories and sectors: the mapping file's lines, publiccode.yml's own categories and scopes."""
    facts = []
    table = mapping()

    def mapped(rule, value, record):
        for line in table.get((rule, fold(value)), []):
            facts.append(
                Fact(
                    FACETS[line.facet],
                    line.target,
                    f"{rule} (mapping.csv, ligne {line.number})",
                    record.source,
                    f"{MAPPING_RULES[rule][1]} : {value}",
                )
            )

    for record in context.records[initiative.pk]:
        extra, key = record.extra or {}, record.source.key
        if key == "sill":
            mapped("sill-component", extra.get("component", ""), record)
        elif key == "sill-services":
            mapped("sill-service-software", extra.get("software_name", ""), record)
        elif key == "codegouvfr-repositories":
            mapped("forge-organisation", extra.get("organization_name", ""), record)
            for topic in extra.get("topics") or []:
                mapped("repository-topic", topic, record)
        elif key == "dpg":
            for sector in extra.get("sectors") or []:
                mapped("dpg-sector", sector, record)
            for goal in extra.get("sdgs") or []:
                if isinstance(goal, dict) and goal.get("number"):
                    mapped("dpg-sdg", str(goal["number"]), record)
        if "publiccode_version" in extra:
            # The standard's own vocabularies: a category is ours as it is, a scope names its sector.
            for code in extra.get("categories") or []:
                if code in context.categories:
                    facts.append(
                        Fact(
                            Derivation.Fact.CATEGORY, code, "publiccode-category", record.source, f"categories : {code}"
                        )
                    )
            for scope in extra.get("scope") or []:
                sector = context.sector_of_scope.get(scope)
                if sector is not None:
                    facts.append(
                        Fact(
                            Derivation.Fact.SECTOR,
                            sector.slug,
                            "publiccode-scope",
                            record.source,
                            f"intendedAudience.scope : {scope}",
                        )
                    )
    return [
        fact
        for fact in facts
        if fact.value in (context.categories if fact.fact == Derivation.Fact.CATEGORY else context.sectors)
    ]


def place_facts(initiative, involvements, context):
    """Where it is used: the places of the local authorities that carry it, and a scale from the kind
    of body that carries it (a State body: national, a European one: European) or from the catalogue."""
    facts, scopes = [], []
    for involvement in involvements:
        actor = involvement.actor
        if involvement.role not in CARRYING_ROLES:
            continue
        cited = _source_of(involvement, context)
        detail = f"{involvement.get_role_display().lower()} : {actor.name} ({actor.get_kind_display().lower()})"
        if actor.kind == Actor.Kind.LOCAL_AUTHORITY:
            territory, how = context.territory_of(actor)
            if territory is None:
                # A local authority the official lists do not name (a syndicate, a city abroad): local all the same.
                scopes.append((Initiative.Scope.LOCAL, "carrier-local-authority", cited, detail))
                continue
            rule = f"carrier-local-authority ({how})"
            facts.append(Fact(Derivation.Fact.TERRITORY, territory.code, rule, cited, detail, territory.name))
            level = Initiative.Scope.REGIONAL if territory.kind == Territory.Kind.REGION else Initiative.Scope.LOCAL
            scopes.append((level, rule, cited, detail))
        elif actor.kind in STATE_KINDS or actor.kind == Actor.Kind.RESEARCH and actor.territory is None:
            scopes.append((Initiative.Scope.NATIONAL, "carrier-state-body", cited, detail))
        elif actor.kind == Actor.Kind.EU_INSTITUTION:
            scopes.append((Initiative.Scope.EUROPEAN, "carrier-european-body", cited, detail))
        elif actor.kind == Actor.Kind.INTERNATIONAL:
            scopes.append((Initiative.Scope.INTERNATIONAL, "carrier-international-body", cited, detail))
    for record in context.records[initiative.pk]:
        if record.source.key == "sill":
            # The interministerial base lists software recommended to every administration of the State.
            scopes.append((Initiative.Scope.NATIONAL, "sill-listed", record.source, "recommandé dans le SILL"))
        elif record.source.key in PUBLIC_SECTOR_CATALOGUES:
            detail = PUBLIC_SECTOR_CATALOGUES[record.source.key]
            scopes.append((Initiative.Scope.NATIONAL, "french-public-sector", record.source, detail))
        elif record.source.key == "dpg":
            # The registry recognises goods for use by any country.
            scopes.append(
                (Initiative.Scope.INTERNATIONAL, "dpg-registry", record.source, "bien public numérique reconnu")
            )
    if scopes:
        scope, rule, cited, detail = max(scopes, key=lambda item: SCOPE_ORDER.index(item[0]))
        facts.append(Fact(Derivation.Fact.SCOPE, scope, rule, cited, detail, Initiative.Scope(scope).label))
    return facts


def criterion_facts(initiative, involvements, context):
    """The criteria of the commons label that the data shows, each with its evidence."""
    facts = []
    records = context.records[initiative.pk]

    def criterion(code, status, rule, label, url, record=None, detail=""):
        facts.append(
            Fact(
                Derivation.Fact.CRITERION,
                f"{code}:{status}",
                rule,
                record.source
                if record
                else _source_of_field(initiative, records, "licence" if code == "open_licence" else "repository_url"),
                detail,
                label,
                url,
            )
        )

    Met, NotMet = CriterionAssessment.Status.MET, CriterionAssessment.Status.NOT_MET
    if initiative.licence:
        opened = is_open_licence(initiative.licence)
        first = next(
            (t for t in re.findall(r"[A-Za-z0-9.+-]+", initiative.licence) if t not in ("AND", "OR", "WITH")), ""
        )
        url = SPDX_PAGE.format(id=first) if first and not first.startswith("LicenseRef") else ""
        verdict = "ouverte" if opened else "non ouverte"
        criterion(
            "open_licence",
            Met if opened else NotMet,
            "spdx-licence",
            f"Licence {initiative.licence} ({verdict})",
            url,
            detail=f"licence : {initiative.licence}",
        )
    else:
        for record in records:
            extra = record.extra or {}
            software = context.software_by_sill_id.get(
                _int(extra.get("software_sill_id"))
            ) or context.software_by_name.get(fold(extra.get("software_name", "")))
            if (
                record.source.key == "sill-services"
                and software is not None
                and software.licence
                and is_open_licence(software.licence)
            ):
                criterion(
                    "open_licence",
                    Met,
                    "service-software-licence",
                    f"Service reposant sur {software.name}, sous licence {software.licence}",
                    SILL_PAGE.format(name=quote(software.name)),
                    record,
                    f"logiciel du service : {software.name}",
                )
                break
    if initiative.repository_url:
        criterion(
            "accessible_resource",
            Met,
            "public-repository",
            "Code source dans un dépôt public",
            initiative.repository_url,
            detail=gettext_noop("dépôt de code"),
        )
    elif initiative.website:
        criterion(
            "accessible_resource",
            Met,
            "public-website",
            "Ressource en ligne à une adresse publique",
            initiative.website,
            detail=gettext_noop("site web"),
        )
    families = {FAMILIES[involvement.actor.kind] for involvement in involvements if involvement.actor.kind in FAMILIES}
    if len(families) >= 2:
        names = sorted({involvement.actor.name for involvement in involvements})[:6]
        criterion(
            "heterogeneous_community",
            Met,
            "actor-kinds",
            f"Acteurs de plusieurs familles ({', '.join(sorted(families))}) : {', '.join(names)}",
            "",
            detail=gettext_noop("les acteurs impliqués"),
        )
    for record in records:
        if ((record.extra or {}).get("maintenance") or {}).get("type") == "community":
            url = initiative.repository_url or initiative.website
            criterion(
                "shared_governance",
                Met,
                "publiccode-maintenance-community",
                "Maintenu par sa communauté (publiccode.yml)",
                url,
                record,
                "maintenance.type : community",
            )
            break
    if initiative.governance_url:
        criterion(
            "shared_governance",
            Met,
            "governance-address",
            "Gouvernance documentée",
            initiative.governance_url,
            detail=gettext_noop("adresse de la gouvernance"),
        )
    if initiative.contributing_url:
        criterion(
            "contribution_rules",
            Met,
            "contribution-address",
            "Guide de contribution publié",
            initiative.contributing_url,
            detail=gettext_noop("guide de contribution"),
        )
    return facts


def participation_facts(initiative, involvements, awards, context):
    """How to take part, as actions with their addresses; never a person's name or e-mail."""
    facts = []
    records = context.records[initiative.pk]
    Action = Derivation.Action
    repository = initiative.repository_url.rstrip("/").removesuffix(".git")
    if repository and ISSUE_TRACKERS.match(urlsplit(repository).hostname or "") and repository.count("/") >= 4:
        facts.append(
            Fact(
                Derivation.Fact.PARTICIPATION,
                Action.REPORT_ISSUE,
                "repository-issues",
                _source_of_field(initiative, records, "repository_url"),
                f"dépôt : {initiative.repository_url}",
                Action.REPORT_ISSUE.label,
                f"{repository}/issues",
            )
        )
    if initiative.contributing_url:
        facts.append(
            Fact(
                Derivation.Fact.PARTICIPATION,
                Action.CONTRIBUTE,
                "contribution-address",
                None,
                "guide de contribution",
                Action.CONTRIBUTE.label,
                initiative.contributing_url,
            )
        )
    if initiative.documentation_url:
        facts.append(
            Fact(
                Derivation.Fact.PARTICIPATION,
                Action.READ_DOCUMENTATION,
                "documentation-address",
                _source_of_field(initiative, records, "documentation_url"),
                "documentation",
                Action.READ_DOCUMENTATION.label,
                initiative.documentation_url,
            )
        )
    sill = next((record for record in records if record.source.key == "sill"), None)
    if sill is not None:
        facts.append(
            Fact(
                Derivation.Fact.PARTICIPATION,
                Action.JOIN_USERS,
                "sill-users",
                sill.source,
                "référencé dans le SILL",
                "Rejoindre ses utilisateurs et référents dans l'administration (SILL)",
                SILL_PAGE.format(name=quote(initiative.name)),
            )
        )
    for involvement in involvements:
        actor = involvement.actor
        if involvement.role in CARRYING_ROLES and actor.publication_status == Actor.PublicationStatus.PUBLISHED:
            facts.append(
                Fact(
                    Derivation.Fact.PARTICIPATION,
                    f"{Action.CONTACT_MAINTAINER}:{actor.slug}",
                    "carrying-organisation",
                    _source_of(involvement, context),
                    f"{involvement.get_role_display().lower()} : {actor.name}",
                    f"Contacter {actor.name}",
                    actor.website,
                )
            )
    for award in awards:
        scheme = award.edition.scheme
        # A scheme closed for good or only proposed is not one to apply to.
        if scheme.status in (scheme.Status.CLOSED, scheme.Status.PROPOSED) or not scheme.is_published:
            continue
        facts.append(
            Fact(
                Derivation.Fact.PARTICIPATION,
                f"{Action.APPLY_FUNDING}:{scheme.slug}",
                "funded-by",
                None,
                f"financé par : {scheme.name}",
                f"Demander un financement : {scheme.name}",
                scheme.url,
            )
        )
    return facts


def _int(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _source_of(involvement, context):
    for item in involvement.sources or []:
        if isinstance(item, dict) and item.get("source") in context.sources:
            return context.sources[item["source"]]
    return None


def _source_of_field(initiative, records, name):
    """The source whose last import gave the entry its current value of `name` (None: a person's)."""
    value = getattr(initiative, name)
    for record in records:
        if value and (record.imported or {}).get(name) == value:
            return record.source
    return None


def facts_for(initiative, context):
    involvements = list(initiative.involvements.all())
    awards = list(initiative.awards.all())
    facts = [
        *classification_facts(initiative, context),
        *place_facts(initiative, involvements, context),
        *criterion_facts(initiative, involvements, context),
        *participation_facts(initiative, involvements, awards, context),
    ]
    unique = {}
    for fact in facts:
        unique.setdefault((fact.fact, fact.value), fact)  # the first rule that says it is cited
    return list(unique.values())


# --- Writing --------------------------------------------------------------------------------------


def initiatives_to_derive(ids=None):
    queryset = Initiative._base_manager.all() if ids is None else Initiative._base_manager.filter(pk__in=ids)
    from funding.models import Award

    return queryset.order_by("pk").prefetch_related(
        "sectors",
        "categories",
        "territories",
        "criteria",
        "derivations",
        Prefetch("involvements", queryset=Involvement.objects.select_related("actor__territory").order_by("pk")),
        Prefetch("awards", queryset=Award.objects.select_related("edition__scheme").order_by("pk")),
    )


FIELDS = ["label", "url", "rule", "source", "source_detail", "status", "applied", "decided_at"]


def derive(ids=None, *, dry_run=False, user=None):
    """Derive the facts of the initiatives `ids` (all when None) and apply them; a report."""
    report = DeriveReport(dry_run=dry_run)
    initiatives = list(initiatives_to_derive(ids))
    context = Context(initiatives)
    now = timezone.now()
    new_rows, changed_rows = [], []
    with transaction.atomic():
        for initiative in initiatives:
            report.entries += 1
            _derive_one(initiative, context, report, now, user, new_rows, changed_rows)
        # The rows of every entry written at once: a run over the directory is a few queries more.
        Derivation.objects.bulk_create(new_rows, batch_size=500)
        Derivation.objects.bulk_update(changed_rows, FIELDS, batch_size=500)
        report.created = len(new_rows)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _state(row):
    return tuple(getattr(row, name if name != "source" else "source_id") for name in FIELDS)


def _derive_one(initiative, context, report, now, user, new_rows, changed_rows):
    existing = {(row.fact, row.value): row for row in initiative.derivations.all()}
    before = {key: _state(row) for key, row in existing.items()}
    on_entry = {
        Derivation.Fact.CATEGORY: {category.slug for category in initiative.categories.all()},
        Derivation.Fact.SECTOR: {sector.slug for sector in initiative.sectors.all()},
        Derivation.Fact.TERRITORY: {territory.code for territory in initiative.territories.all()},
    }
    criteria = {assessment.criterion: assessment for assessment in initiative.criteria.all()}
    for fact in facts_for(initiative, context):
        row = existing.get((fact.fact, fact.value))
        report.by_rule[fact.rule.split(" ")[0]] = report.by_rule.get(fact.rule.split(" ")[0], 0) + 1
        if row is None:
            if _already_said(fact, initiative, on_entry, criteria):
                continue  # a person or an import said it already: theirs, not a derivation
            row = Derivation(initiative=initiative, fact=fact.fact, value=fact.value)
            new_rows.append(row)
            existing[fact.fact, fact.value] = row
        # The rule's latest reading (a label or an address may change at the source).
        row.label, row.url, row.rule, row.source, row.source_detail = (
            fact.label[:300],
            fact.url[:500],
            fact.rule[:100],
            fact.source,
            fact.detail[:300],
        )
    additions = defaultdict(list)
    for row in existing.values():
        _apply(row, initiative, on_entry, criteria, additions, report, now, user)
    if additions:
        _write(initiative, additions, context, user, now)
        report.touched.add(initiative.pk)
    changed_rows += [row for key, row in existing.items() if key in before and _state(row) != before[key]]


def _already_said(fact, initiative, on_entry, criteria):
    if fact.fact in on_entry:
        return fact.value in on_entry[fact.fact]
    if fact.fact == Derivation.Fact.SCOPE:
        return bool(initiative.territorial_scope)
    if fact.fact == Derivation.Fact.CRITERION:
        code, status = fact.value.split(":")
        assessment = criteria.get(code)
        if assessment is None or assessment.status == CriterionAssessment.Status.UNKNOWN:
            return False
        # The same verdict without its evidence: the rule's address is still to add (see _apply).
        return not (assessment.status == status and not assessment.evidence_url and fact.url)
    return False


def _apply(row, initiative, on_entry, criteria, additions, report, now, user):
    """Write one derived value on the entry when it may; mark it rejected when a curator undid it."""
    label = {"entry": initiative.slug, "fact": row.fact, "value": row.value}
    if row.status == Derivation.Status.REJECTED or row.fact == Derivation.Fact.PARTICIPATION:
        return False
    if row.fact in on_entry:
        present = row.value in on_entry[row.fact]
        if row.applied and not present:
            return _reject(row, report, label, now)
        if not row.applied:
            if not present:
                additions[row.fact].append(row.value)
                report.applied.append(label)
            row.applied = True
        return True
    if row.fact == Derivation.Fact.SCOPE:
        if row.applied and initiative.territorial_scope != row.value:
            return _reject(row, report, label, now)
        if not row.applied and not initiative.territorial_scope:
            initiative.territorial_scope = row.value
            additions["scope"].append(row.value)
            report.applied.append(label)
            row.applied = True
        return True
    if row.fact == Derivation.Fact.CRITERION:
        code, status = row.value.split(":")
        assessment = criteria.get(code)
        if row.applied and (assessment is None or assessment.status != status):
            return _reject(row, report, label, now)
        if not row.applied and (assessment is None or assessment.status == CriterionAssessment.Status.UNKNOWN):
            assessment = assessment or CriterionAssessment(initiative=initiative, criterion=code)
            assessment.status, assessment.evidence_url = status, row.url
            assessment.note = f"Déduit : {row.label}."[:2000]
            assessment._history_user = user
            assessment._change_reason = "Fait déduit des sources"
            assessment.save()
            criteria[code] = assessment
            report.applied.append(label)
            row.applied = True
        elif not row.applied and assessment.status == status and not assessment.evidence_url and row.url:
            # A curator's verdict without its evidence, which the rule finds agreeing: the verdict
            # and its note stay the curator's; the address that shows it is added.
            assessment.evidence_url = row.url
            assessment._history_user = user
            assessment._change_reason = "Preuve déduite des sources"
            assessment.save()
            report.applied.append(label)
            row.applied = True
        return True
    return False


def _reject(row, report, label, now):
    row.status, row.decided_at = Derivation.Status.REJECTED, now
    report.rejected.append(label)
    return True


def _write(initiative, additions, context, user, now):
    """Add the values to the entry and record one version of it, whatever the number of values."""
    # The links are written without the many-to-many signal, which would record a version per
    # field; the one version below holds them all. The callers rewrite the search documents.
    links = {
        Derivation.Fact.CATEGORY: (Initiative.categories.through, "category_id", context.categories),
        Derivation.Fact.SECTOR: (Initiative.sectors.through, "sector_id", context.sectors),
        Derivation.Fact.TERRITORY: (
            Initiative.territories.through,
            "territory_id",
            context.territories_by_code(additions),
        ),
    }
    for fact, (through, column, by_key) in links.items():
        rows = [
            through(initiative_id=initiative.pk, **{column: by_key[key].pk})
            for key in additions.get(fact, ())
            if key in by_key
        ]
        through.objects.bulk_create(rows, ignore_conflicts=True)
    # updated_at moves, so that a synced copy (`updated_since`) fetches the entry again.
    Initiative._base_manager.filter(pk=initiative.pk).update(
        territorial_scope=initiative.territorial_scope, updated_at=now
    )
    initiative.updated_at = now
    for name in ("categories", "sectors", "territories"):
        getattr(initiative, "_prefetched_objects_cache", {}).pop(name, None)
    initiative._history_user = user
    initiative._change_reason = "Faits déduits des sources"
    # What a save announces, without saving again: the history records this version (with its links).
    post_save.send(
        sender=Initiative,
        instance=initiative,
        created=False,
        raw=False,
        using=router.db_for_write(Initiative),
        update_fields=None,
    )
