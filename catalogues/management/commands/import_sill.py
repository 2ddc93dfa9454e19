"""manage.py import_sill: the SILL's software and the public services built on it."""

from actors.models import Actor
from catalogues.cleaning import clean_url, fold_key
from catalogues.commands import ImportCommand
from catalogues.deployments import is_own_site, is_the_commons, known_software, place_code, software_commons
from catalogues.sill import initiative_values, read, service_values
from communs.models import Source
from initiatives.models import Initiative
from territories.models import Territory

SILL_SOURCE = {
    "key": "sill",
    "kind": Source.Kind.CATALOGUE,
    "title": "Socle interministériel de logiciels libres (SILL), exports publiés de 2019 à 2022",
    "publisher": "DINUM (Etalab, puis mission logiciels libres et communs numériques)",
    "date": "2022-05-10",
    "url": "https://code.gouv.fr/sill/",
    "licence": "etalab-2.0",
    "note": "Exports etalab/sill-data (sill.json), codegouvfr/sill-api (software.csv) et DISIC/sill (2019, 2020).",
}
SERVICES_SOURCE = {
    "key": "sill-services",
    "kind": Source.Kind.CATALOGUE,
    "title": "Services publics en ligne reposant sur des logiciels du SILL",
    "publisher": "DINUM (code.gouv.fr)",
    "date": "2022-03-08",
    "url": "https://github.com/codegouvfr/sill-api",
    "licence": "etalab-2.0",
    "note": "Fichier services.csv de codegouvfr/sill-api.",
}


class Command(ImportCommand):
    help = (
        "Importe le SILL (sill.json d'etalab/sill-data, software.csv de codegouvfr/sill-api, sill-2020.csv "
        "et sill-2019.csv de DISIC/sill) et services.csv, les services publics qui reposent sur ses logiciels. "
        "Sans argument : l'instantané livré dans data/sill."
    )
    source = SILL_SOURCE
    default_locations = ["sill"]

    def work(self, importer, files):
        software, services, ignored, problems = read(files)
        for where, message in problems:
            importer.error(where, message)
        for name in ignored:
            importer.skip(
                name, "fichier du SILL sans logiciel (contributeurs, statistiques ou journal des mises à jour)"
            )
        by_sill_id = {}
        for key, item in software.items():
            external_id = f"sill:{item['sill_id']}" if item["sill_id"] is not None else key
            if not item.get("name"):
                importer.skip(external_id, "logiciel sans nom")
                continue
            if item["sill_id"] is None:
                # sill-2019.csv names software without an id; a name no later export knows is most often
                # another spelling of one that it does ("The Gimp", "Tomcat"), so it is not created.
                importer.skip(external_id, f"« {item['name']} » : seulement dans sill-2019.csv, sans identifiant SILL")
                continue
            values, extra = initiative_values(item)
            identifiers = {k: values[k] for k in ("sill_id", "wikidata_qid", "repository_url") if values.get(k)}
            with importer.row(item["where"]):
                entry = importer.upsert(
                    Initiative,
                    external_id,
                    values,
                    identifiers=identifiers,
                    names=[item.get("original_name", "")],
                    extra=extra,
                    held_back="" if values["website"] or values["repository_url"] else "ni site web ni dépôt de code",
                    citation_note=f"Fiche SILL n° {item['sill_id']}" if item["sill_id"] is not None else "SILL 2019",
                )
                if item["sill_id"] is not None:
                    by_sill_id[str(item["sill_id"])] = entry
        if services:
            self.import_services(importer, services, by_sill_id)

    def import_services(self, importer, services, by_sill_id):
        # The services are another document of the SILL's publisher: they cite their own source.
        services_importer = type(importer)(self.source_record(SERVICES_SOURCE), importer.report)
        for where, row in services:
            external_id = f"service:{row.get('id', '')}"
            if not row.get("service_name") or not row.get("agency_name"):
                services_importer.skip(external_id, "service sans nom ou sans organisme")
                continue
            values, agency, software = service_values(row)
            if not software["name"] and not software["sill_id"]:
                services_importer.skip(external_id, "service sans logiciel")
                continue
            with services_importer.row(where):
                # HOSTED_INSTANCE_RULE (catalogues/deployments.py): the service is a use of its software.
                commons = by_sill_id.get(software["sill_id"]) or software_commons(
                    Initiative._base_manager, software["sill_id"], software["name"]
                )
                if commons is None:
                    commons = self.software_of_service(services_importer, software)
                if is_own_site(commons, values["url"]) or is_the_commons(commons, values):
                    # The service is the commons itself (Pix runs Pix at pix.fr): its address is the
                    # commons' website, if nobody gave one, not a use.
                    services_importer.upsert(
                        Initiative,
                        external_id,
                        {"name": commons.name, "kind": commons.kind, "website": values["url"]},
                        identifiers={"website": commons.website} if commons.website else {},
                    )
                    continue
                actor = services_importer.upsert(
                    Actor, f"organisme:{agency['name']}", agency, create_only=("name", "kind")
                )
                code = place_code(agency["name"])
                territory = (Territory.objects.filter(code=code).first() if code else None) or actor.territory
                services_importer.deploy(
                    commons,
                    external_id,
                    {**values, "actor": actor.pk, "territory": territory.pk if territory else None},
                    label=f"{commons.slug} : {values['name']}",
                )

    def software_of_service(self, importer, software):
        """A software the directory does not know yet, from what a service says of it and the reviewed
        file of such software (catalogues/deployments.py): its commons, matched by its addresses or its
        name like any imported entry, else created; a draft until it has a website or a repository."""
        sill_id = int(software["sill_id"]) if software["sill_id"].isdigit() else None
        known = known_software(software["name"]) or {"name": software["name"], "website": "", "repository_url": ""}
        key = f"sill:{sill_id}" if sill_id is not None else f"logiciel:{fold_key(known['name'])}"
        values = {
            "name": known["name"][:200] or f"Logiciel SILL n° {sill_id}",
            "kind": "software",
            "sill_id": sill_id,
            "website": clean_url(known["website"]),
            "repository_url": clean_url(known["repository_url"]),
        }
        identifiers = {name: values[name] for name in ("sill_id", "repository_url", "website") if values[name]}
        return importer.upsert(
            Initiative,
            key,
            values,
            identifiers=identifiers,
            names=[software["name"]],
            extra={"software_name": software["name"], "comptoir_du_libre_id": software["comptoir_id"]},
            held_back="" if values["website"] or values["repository_url"] else "ni site web ni dépôt de code",
            citation_note="Logiciel d'un service public en ligne",
        )
