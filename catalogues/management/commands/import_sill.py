"""manage.py import_sill: the SILL's software and the public services built on it."""

from collections import Counter

from actors.models import Actor
from catalogues.cleaning import fold_key
from catalogues.commands import ImportCommand
from catalogues.sill import initiative_values, read, service_values
from communs.models import Source
from initiatives.models import Initiative, Involvement

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
            software_names = {fold_key(item.get("name")) for item in software.values()}
            self.import_services(importer, services, by_sill_id, software_names)

    def import_services(self, importer, services, by_sill_id, software_names):
        # The services are another document of the SILL's publisher: they cite their own source.
        services_importer = type(importer)(self.source_record(SERVICES_SOURCE), importer.report)
        # A service is named after what it does ("Forum", "Chat") or after its software ("Mastodon"):
        # such a name gets its agency, so that it does not pass for the software or another agency's service.
        names = Counter(fold_key(row.get("service_name")) for _, row in services)
        for where, row in services:
            key = fold_key(row.get("service_name"))
            if names[key] > 1 or key in software_names:
                row = {**row, "service_name": f"{row['service_name']} ({row.get('agency_name', '')})"}
            external_id = f"service:{row.get('id', '')}"
            if not row.get("service_name") or not row.get("agency_name"):
                services_importer.skip(external_id, "service sans nom ou sans organisme")
                continue
            software = by_sill_id.get(row.get("software_sill_id", ""))
            if software is None and row.get("software_sill_id"):
                software = Initiative.objects.filter(sill_id=row["software_sill_id"]).first()
            values, agency, extra = service_values(row, software.slug if software else None)
            with services_importer.row(where):
                entry = services_importer.upsert(
                    Initiative, external_id, values, identifiers={"website": values["website"]}, extra=extra
                )
                actor = services_importer.upsert(
                    Actor, f"organisme:{agency['name']}", agency, create_only=("name", "kind")
                )
                services_importer.involve(entry, actor, Involvement.Role.CARRIER)
