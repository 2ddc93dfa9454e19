"""The word pools the benchmark's generator composes entries from (benchmarks/generate.py).

Each initiative is about one domain of public action (and mentions a second one), so that a domain
word such as "cadastre" matches a few percent of the entries, as it would in the real directory,
rather than every one of them. Places are real communes with their INSEE code and region.
"""

# Sectors: slug, name.
SECTORS = [
    ("geodonnees", "Géodonnées"),
    ("mobilite", "Mobilité"),
    ("sante", "Santé"),
    ("education", "Éducation"),
    ("environnement", "Environnement"),
    ("energie", "Énergie"),
    ("culture", "Culture et patrimoine"),
    ("urbanisme", "Urbanisme et logement"),
    ("administration", "Administration"),
    ("agriculture", "Agriculture et alimentation"),
    ("solidarites", "Solidarités et emploi"),
    ("numerique", "Numérique et cybersécurité"),
    ("democratie", "Démocratie et participation"),
]

# Domains: the word a user searches, the phrase it takes in a name ("Registre du cadastre"), its sector.
DOMAINS = [
    ("cadastre", "du cadastre", "geodonnees"),
    ("adresses", "des adresses", "geodonnees"),
    ("cartographie", "de cartographie", "geodonnees"),
    ("mobilité", "de la mobilité", "mobilite"),
    ("covoiturage", "de covoiturage", "mobilite"),
    ("vélo", "du vélo", "mobilite"),
    ("stationnement", "du stationnement", "mobilite"),
    ("transports", "des transports scolaires", "mobilite"),
    ("santé", "de santé", "sante"),
    ("vaccination", "de la vaccination", "sante"),
    ("hôpital", "de l'hôpital", "sante"),
    ("éducation", "de l'éducation", "education"),
    ("cantine", "de la cantine scolaire", "education"),
    ("collège", "du collège", "education"),
    ("eau", "de l'eau potable", "environnement"),
    ("déchets", "des déchets", "environnement"),
    ("biodiversité", "de la biodiversité", "environnement"),
    ("inondations", "des inondations", "environnement"),
    ("forêt", "de la forêt", "environnement"),
    ("énergie", "de l'énergie", "energie"),
    ("éclairage", "de l'éclairage public", "energie"),
    ("chaleur", "des réseaux de chaleur", "energie"),
    ("bibliothèque", "des bibliothèques", "culture"),
    ("archives", "des archives", "culture"),
    ("patrimoine", "du patrimoine", "culture"),
    ("urbanisme", "d'urbanisme", "urbanisme"),
    ("logement", "du logement social", "urbanisme"),
    ("voirie", "de la voirie", "urbanisme"),
    ("subventions", "des subventions", "administration"),
    ("élections", "des élections", "administration"),
    ("marchés", "des marchés publics", "administration"),
    ("recrutement", "du recrutement", "administration"),
    ("agriculture", "de l'agriculture", "agriculture"),
    ("alimentation", "de l'alimentation locale", "agriculture"),
    ("emploi", "de l'emploi", "solidarites"),
    ("handicap", "du handicap", "solidarites"),
    ("solidarité", "de la solidarité", "solidarites"),
    ("cybersécurité", "de cybersécurité", "numerique"),
    ("identité", "de l'identité numérique", "numerique"),
    ("consultation", "de consultation citoyenne", "democratie"),
    ("budget", "du budget participatif", "democratie"),
]

# Objects: the word that starts a name, and the kind of initiative it makes.
OBJECTS = [
    ("Registre", "data"),
    ("Jeu de données", "data"),
    ("Base", "data"),
    ("Référentiel", "standard"),
    ("Standard", "standard"),
    ("Modèle", "standard"),
    ("Logiciel", "software"),
    ("Outil", "software"),
    ("Application", "software"),
    ("Simulateur", "software"),
    ("Boîte à outils", "software"),
    ("Plateforme", "platform"),
    ("Portail", "platform"),
    ("API", "platform"),
    ("Guichet", "platform"),
    ("Observatoire", "content"),
    ("Guide", "content"),
    ("Réseau", "network"),
    ("Communauté", "network"),
    ("Programme", "programme"),
    ("Serveur", "infrastructure"),
    ("Modèle de langue", "ai_model"),
]

# Real communes: name, INSEE code, region.
PLACES = [
    ("Brest", "29019", "Bretagne"),
    ("Quimper", "29232", "Bretagne"),
    ("Rennes", "35238", "Bretagne"),
    ("Lorient", "56121", "Bretagne"),
    ("Vannes", "56260", "Bretagne"),
    ("Lannion", "22113", "Bretagne"),
    ("Nantes", "44109", "Pays de la Loire"),
    ("Angers", "49007", "Pays de la Loire"),
    ("Le Mans", "72181", "Pays de la Loire"),
    ("Bordeaux", "33063", "Nouvelle-Aquitaine"),
    ("Poitiers", "86194", "Nouvelle-Aquitaine"),
    ("La Rochelle", "17300", "Nouvelle-Aquitaine"),
    ("Limoges", "87085", "Nouvelle-Aquitaine"),
    ("Pau", "64445", "Nouvelle-Aquitaine"),
    ("Toulouse", "31555", "Occitanie"),
    ("Montpellier", "34172", "Occitanie"),
    ("Nîmes", "30189", "Occitanie"),
    ("Perpignan", "66136", "Occitanie"),
    ("Albi", "81004", "Occitanie"),
    ("Marseille", "13055", "Provence-Alpes-Côte d'Azur"),
    ("Nice", "06088", "Provence-Alpes-Côte d'Azur"),
    ("Avignon", "84007", "Provence-Alpes-Côte d'Azur"),
    ("Lyon", "69123", "Auvergne-Rhône-Alpes"),
    ("Grenoble", "38185", "Auvergne-Rhône-Alpes"),
    ("Clermont-Ferrand", "63113", "Auvergne-Rhône-Alpes"),
    ("Annecy", "74010", "Auvergne-Rhône-Alpes"),
    ("Chambéry", "73065", "Auvergne-Rhône-Alpes"),
    ("Dijon", "21231", "Bourgogne-Franche-Comté"),
    ("Besançon", "25056", "Bourgogne-Franche-Comté"),
    ("Strasbourg", "67482", "Grand Est"),
    ("Metz", "57463", "Grand Est"),
    ("Nancy", "54395", "Grand Est"),
    ("Reims", "51454", "Grand Est"),
    ("Lille", "59350", "Hauts-de-France"),
    ("Amiens", "80021", "Hauts-de-France"),
    ("Rouen", "76540", "Normandie"),
    ("Caen", "14118", "Normandie"),
    ("Le Havre", "76351", "Normandie"),
    ("Orléans", "45234", "Centre-Val de Loire"),
    ("Tours", "37261", "Centre-Val de Loire"),
    ("Paris", "75056", "Île-de-France"),
    ("Montreuil", "93048", "Île-de-France"),
    ("Ajaccio", "2A004", "Corse"),
]

# National actors: name, acronym, kind.
NATIONAL_ACTORS = [
    ("Direction interministérielle du numérique", "DINUM", "state"),
    ("Agence nationale de la cohésion des territoires", "ANCT", "agency"),
    ("Institut national de l'information géographique et forestière", "IGN", "agency"),
    ("Agence de la transition écologique", "ADEME", "agency"),
    (
        "Centre d'études et d'expertise sur les risques, l'environnement, la mobilité et l'aménagement",
        "CEREMA",
        "agency",
    ),
    ("Agence du numérique en santé", "ANS", "agency"),
    ("Direction générale des finances publiques", "DGFiP", "state"),
    ("Association des développeurs et utilisateurs de logiciels libres", "ADULLACT", "association"),
    ("OpenStreetMap France", "OSMFR", "association"),
    ("Institut national de recherche en sciences et technologies du numérique", "INRIA", "research"),
]

# Local actors: a pattern around a commune, the kind, and the acronym's first letters.
LOCAL_ACTORS = [
    ("Ville de {place}", "local_authority", "V"),
    ("Métropole de {place}", "local_authority", "M"),
    ("Communauté d'agglomération de {place}", "local_authority", "CA"),
    ("Syndicat mixte numérique de {place}", "local_authority", "SMN"),
    ("Centre hospitalier de {place}", "agency", "CH"),
    ("Université de {place}", "research", "U"),
    ("Association Libre à {place}", "association", "AL"),
    ("Coopérative des communs de {place}", "company", "CC"),
    ("Fab lab de {place}", "community", "FL"),
]

AUDIENCES = [
    "les agents des collectivités",
    "les habitants",
    "les élus",
    "les associations",
    "les services de l'État",
    "les chercheurs",
    "les entreprises du territoire",
    "les enseignants",
]

VERBS = ["consulter", "mettre à jour", "publier", "croiser", "suivre", "partager", "vérifier", "cartographier"]

TAGS = [
    "open data",
    "logiciel libre",
    "mutualisation",
    "accessibilité",
    "RGPD",
    "interopérabilité",
    "géomatique",
    "intelligence artificielle",
    "sobriété numérique",
    "FranceConnect",
    "DSFR",
    "Python",
    "PostgreSQL",
    "QGIS",
    "OpenStreetMap",
    "tableau de bord",
    "formulaire en ligne",
    "carte interactive",
    "application mobile",
    "données personnelles",
]

LICENCES = ["MIT", "AGPL-3.0-or-later", "GPL-3.0-or-later", "EUPL-1.2", "Apache-2.0", "etalab-2.0", "ODbL-1.0", ""]

# The words of the descriptions' "Thèmes" line, most frequent first: benchmarks/generate.py draws
# each with a document frequency that follows a Zipf law (1/rank), as in real prose. The first
# three are in about 60 % of the entries; the search words (SEARCH_WORDS, ranks 36 to 60) in 3 to
# 5 % each; the long tail (made-up words) in a few entries each.
COMMON_WORDS = ["public", "numérique", "données"]
SEARCH_WORDS = [
    "énergie",
    "éducation",
    "transport",
    "santé",
    "eau",
    "déchets",
    "agriculture",
    "culture",
    "sport",
    "tourisme",
    "logement",
    "emploi",
    "sécurité",
    "climat",
    "biodiversité",
    "alimentation",
    "jeunesse",
    "solidarité",
    "citoyenneté",
    "urbanisme",
    "patrimoine",
    "bibliothèque",
    "forêt",
    "littoral",
    "montagne",
]
