"""code.gouv.fr's public organisations: top-level bodies, OSPOs and forge accounts (data/README.md §2).

codegouvfr/codegouvfr-data names public bodies by their id in the service-public.fr annuaire
(`pso_id`), in three YAML files read together:

- `top_organizations.yml`: pso_id → name of the top-level bodies (Premier ministre, ministries…);
- `fr-public-sector-ospo.yml`: OSPO URL → the OSPO's name, description, pso_id, forge accounts;
- `comptes-organismes-publics.yml`: forge host → accounts (`owners`), each with the pso_id of the
  body that publishes there (an owner without one belongs to the forge's body).

The pso_id is the stable identifier: everything the files say about one body is grouped under it
in memory, and becomes one actor (Record `pso:<id>`) whatever the number of its accounts. The files
give no name for most of the bodies that own accounts (only the annuaire has them), nor any SIREN
or parent: nothing is guessed, a body without a name in the files is reported as skipped.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from catalogues.cleaning import clean_url
from catalogues.importing import RowError
from catalogues.inputs import decode, load_yaml

# "Unknown organisation" in comptes-organismes-publics.yml: several unrelated bodies share it.
NULL_PSO_ID = "00000000-0000-0000-0000-000000000000"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Entries of top_organizations.yml that group bodies for code.gouv.fr's listings but are no body.
GROUPINGS = {"Autorités indépendantes", "Institutions et juridictions"}
# The one top-level body that is not the French State.
EU_INSTITUTIONS = {"Commission européenne"}
# Other files of the same repositories: recognised so that a whole folder can be given, not imported.
IGNORED = {
    "awesome": "liste des projets « Awesome » (voir l'import publiccode.yml)",
    "trainings": "organismes de formation aux logiciels libres (pas des organismes publics)",
    "accounts-2021": (
        "export 2021 des comptes de forges (data-codes-sources-fr) : des comptes, pas des organismes ; "
        "ceux des organismes publics sont dans comptes-organismes-publics.yml"
    ),
}
ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,}\b")


@dataclass
class Body:
    """What the files say about one public body."""

    key: str  # pso:<id>, or ospo:<url> for an OSPO whose body has no pso_id
    pso_id: str = ""
    top_name: str = ""
    ospo: dict = field(default_factory=dict)
    accounts: list = field(default_factory=list)
    where: str = ""

    @property
    def name(self):
        return self.top_name or self.ospo.get("name", "")

    def kind(self):
        if self.top_name in EU_INSTITUTIONS:
            return "eu_institution"
        # A top-level body of code.gouv.fr is the Premier ministre or a ministry; nothing else is
        # said about the kind of the other bodies.
        return "state" if self.top_name else "other"

    def acronyms(self):
        """Acronyms the OSPO's name gives its body ("OSPO de l'IGN" → IGN), to find an existing actor."""
        return [word for word in ACRONYM.findall(self.ospo.get("name", "")) if word != "OSPO"]


def detect(document):
    """The kind of one parsed codegouvfr file, or None when it is none of those this importer knows."""
    if isinstance(document, list):
        first = document[0] if document and isinstance(document[0], dict) else {}
        if "login" in first and "platform" in first:
            return "accounts-2021"
        if "organisme" in first and "formations" in first:
            return "trainings"
        return None
    if not isinstance(document, dict) or not document:
        return None
    values = list(document.values())
    if all(isinstance(key, str) and UUID.match(key) for key in document) and all(isinstance(v, str) for v in values):
        return "top"
    if all(isinstance(v, dict) for v in values):
        if all("forge" in v for v in values):
            return "accounts"
        if all("name" in v and "description" in v for v in values):
            return "ospo"
        if all("default_branch" in v for v in values):
            return "awesome"
    return None


def parse(files):
    """({kind: [(file name, document)]}, [ignored (file name, reason)]); a file that cannot be read
    or has an unknown structure stops the import, naming the file."""
    found, ignored = {}, []
    for name, content in files:
        text = decode(name, content)
        short = Path(name).name
        try:
            document = load_yaml(name, text)  # JSON is YAML too: the 2021 export is recognised alike
        except yaml.YAMLError as error:
            raise RowError(f"{short} : YAML illisible ({_first_line(error)})") from error
        kind = detect(document)
        if kind is None:
            raise RowError(
                f"{short} : structure non reconnue (attendu : top_organizations.yml, "
                "fr-public-sector-ospo.yml ou comptes-organismes-publics.yml de codegouvfr-data)"
            )
        if kind in IGNORED:
            ignored.append((short, IGNORED[kind]))
        else:
            found.setdefault(kind, []).append((short, document))
    return found, ignored


def _first_line(error):
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def bodies(found):
    """{key: Body} from the parsed files, and [(label, reason)] of the accounts left aside."""
    by_key, left_aside = {}, []

    def body(key, where):
        pso_id = key.removeprefix("pso:") if key.startswith("pso:") else ""
        return by_key.setdefault(key, Body(key=key, pso_id=pso_id, where=where))

    for short, document in found.get("top", []):
        for pso_id, name in document.items():
            body(f"pso:{pso_id}", f"{short}, {pso_id}").top_name = name.strip()
    owners = {}  # account URL key → pso_id, for OSPOs that give their accounts but no pso_id
    for short, document in found.get("accounts", []):
        for host, forge in document.items():
            for account in _accounts(short, host, forge):
                pso_id = owners[_url_key(account["url"])] = account.pop("pso_id")
                if not pso_id or pso_id == NULL_PSO_ID:
                    left_aside.append((account["url"], "compte sans organisme identifié (pso_id absent ou nul)"))
                    continue
                body(f"pso:{pso_id}", f"{short}, {host}").accounts.append(account)
    for short, document in found.get("ospo", []):
        for url, item in document.items():
            ospo = _ospo(short, url, item)
            pso_id = ospo.pop("pso_id") or next(
                (owners[_url_key(code)] for code in ospo.get("code", []) if owners.get(_url_key(code))), ""
            )
            key = f"pso:{pso_id}" if pso_id and pso_id != NULL_PSO_ID else f"ospo:{ospo['url']}"
            body(key, f"{short}, {url}").ospo = ospo
    for key, item in list(by_key.items()):
        if item.top_name in GROUPINGS:
            left_aside.append((key, f"« {item.top_name} » regroupe des organismes, ce n'en est pas un"))
            del by_key[key]
    return by_key, left_aside


def _accounts(short, host, forge):
    if not isinstance(forge, dict) or not isinstance(forge.get("owners") or {}, dict):
        raise RowError(f"{short} : la forge {host} n'est pas décrite par forge, pso_id et owners")
    common = {"forge": str(forge.get("forge", "")), **_dates(forge)}
    owners = forge.get("owners") or {}
    if not owners:
        # A forge without owners is dedicated to public code: the forge itself is the body's account.
        yield {"url": f"https://{host}", **common, "pso_id": str(forge.get("pso_id") or "")}
        return
    for login, owner in owners.items():
        owner = owner or {}
        if not isinstance(owner, dict):
            raise RowError(f"{short} : le compte {host}/{login} n'est pas décrit par pso_id, floss_policy, ospo_url")
        account = {"url": f"https://{host}/{login}", **common, **_dates(owner)}
        for name in ("floss_policy", "ospo_url"):
            if clean_url(owner.get(name)):
                account[name] = clean_url(owner.get(name))
        account["pso_id"] = str(owner.get("pso_id") or forge.get("pso_id") or "")
        yield account


def _dates(item):
    value = item.get("ignored_since")
    if isinstance(value, date):
        return {"ignored_since": value.isoformat()}
    return {"ignored_since": str(value)} if value else {}


def _ospo(short, url, item):
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise RowError(f"{short} : l'OSPO {url} n'a pas de nom")
    description = item.get("description") if isinstance(item.get("description"), dict) else {}
    # The contact e-mail is left out on purpose: it may name a person (data/README.md).
    ospo = {
        "url": clean_url(url),
        "name": item["name"].strip(),
        "description_fr": str(description.get("fr") or "").strip(),
        "description_en": str(description.get("en") or "").strip(),
        "pso_id": str(item.get("pso_id") or ""),
        "floss_policy": clean_url(item.get("floss_policy")),
        "code": [clean_url(code) for code in item.get("code") or [] if clean_url(code)],
    }
    if isinstance(item.get("created"), date):
        ospo["created"] = item["created"].isoformat()
    if not ospo["url"]:
        raise RowError(f"{short} : l'OSPO « {ospo['name']} » n'a pas d'adresse web valable ({url})")
    return {key: value for key, value in ospo.items() if value or key == "pso_id"}


def _url_key(url):
    """github.com/orgs/GIP-RECIA/repositories and https://github.com/gip-recia/ are one account."""
    url = re.sub(r"^https?://", "", (url or "").strip().lower()).rstrip("/")
    url = re.sub(r"^(github\.com)/orgs/([^/]+)(/repositories)?$", r"\1/\2", url)
    return url


def actor_values(item, describes_entry):
    """The actor's fields for one body; `describes_entry` says whether the OSPO's description and
    address are the actor's own (an actor created from the OSPO), or the unit's of an organisation
    that has its own (a ministry, an actor found by its acronym): they then stay in the Record."""
    values = {"name": item.name[:200], "kind": item.kind(), "annuaire_id": item.pso_id}
    # The accounts code.gouv.fr still follows: those it ignores since a date are no longer the body's.
    values["forge_accounts"] = sorted(
        {_account_url(account["url"]) for account in item.accounts if not account.get("ignored_since")}
    )
    if describes_entry and item.ospo:
        values["description"] = item.ospo.get("description_fr", "")
        values["website"] = item.ospo["url"]
    return values


def _account_url(url):
    """An account's address as the actor page shows it: https, lower case, no trailing slash."""
    return "https://" + _url_key(url)


def record_extra(item, describes_entry):
    extra = {"pso_id": item.pso_id, "accounts": item.accounts}
    if item.top_name:
        extra["top_organisation"] = item.top_name
    if item.ospo:
        extra["ospo"] = item.ospo
    extra["ospo_describes_entry"] = describes_entry
    return extra
