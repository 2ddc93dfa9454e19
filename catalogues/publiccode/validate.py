"""The checks of the reference parser that need neither network nor files, in its order.

``check(data)`` takes the decoded mapping (see schema.py) and returns (errors, warnings) as
(key, message) pairs; the caller adds positions. Messages follow the parser's wording.
"""

from . import text, vocab

CATEGORIES_URL = "https://github.com/publiccodeyml/publiccode.yml/blob/main/docs/standard/categories-list.rst"
SCOPES_URL = "https://github.com/publiccodeyml/publiccode.yml/blob/main/docs/standard/scope-list.rst"
IPA_URL = "https://github.com/publiccodeyml/italian-organizations-ipa-vocabulary"
DEPRECATED = "This key is DEPRECATED and will be removed in the future. It's safe to drop it"
LOGO_EXTENSIONS = (".svg", ".svgz", ".png")
IMAGE_EXTENSIONS = (".jpg", ".png")


def _label(key: str) -> str:
    return key.rsplit(".", 1)[-1]


def _one_of(values) -> str:
    quoted = [f'"{v}"' for v in values]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


class Checker:
    def __init__(self, data: dict, v1: bool = False):
        self.data, self.v1 = data, v1
        self.errors, self.warnings = [], []

    def error(self, key, message):
        self.errors.append((key, message))

    def warn(self, key, message):
        self.warnings.append((key, message))

    # Struct validation (the parser's validator tags), field by field in declaration order.

    def required(self, key, value) -> bool:
        if value in (None, "", [], {}):
            self.error(key, f"{_label(key)} is a required field")
            return False
        return True

    def not_empty(self, key, value) -> bool:
        if not value:
            self.error(key, f"{_label(key)} must contain more than 0 items")
            return False
        return True

    def one_of(self, key, value, choices):
        if self.required(key, value) and value not in choices:
            self.error(key, f"{_label(key)} must be one of the following: {_one_of(choices)}")

    def http_url(self, key, value):
        if value is not None and not text.is_http_url(value):
            self.error(key, f"{_label(key)} must be an HTTP URL")

    def date(self, key, value):
        if value is not None and not text.is_date(value):
            self.error(key, f"{_label(key)} must be a date with format 'YYYY-MM-DD'")

    def email(self, key, value):
        if value and not text.is_email(value):
            self.error(key, f"{_label(key)} must be a valid email address")

    def max_length(self, key, value, limit):
        if value and text.grapheme_length(value) > limit:
            self.error(key, f"{_label(key)} must be a maximum of {limit} characters in length")

    def organisation_uri(self, key, value):
        if not self.required(key, value):
            return
        if not text.is_uri(value):
            self.error(key, f"{_label(key)} is not a valid URI")
        elif value.startswith("urn:x-italian-pa:") and not vocab.is_ipa_code_format(value[17:]):
            self.error(
                key,
                f"{_label(key)} must be a valid Italian Public Administration Code (iPA) with format "
                f"'urn:x-italian-pa:[codiceIPA]' (see {IPA_URL})",
            )

    def each(self, key, values, test, message):
        for i, value in enumerate(values or []):
            if value is not None and not test(value):
                self.error(f"{key}[{i}]", f"{_label(key)}[{i}] {message}")

    def struct(self):
        d = self.data
        self.required("name", d.get("name"))
        if self.required("url", d.get("url")) and not text.is_url(d["url"]):
            self.error("url", "url must be a valid URL")
        self.http_url("landingURL", d.get("landingURL"))
        self.each("isBasedOn", d.get("isBasedOn"), text.is_url, "must be a valid URL")
        self.date("releaseDate", d.get("releaseDate"))
        if d.get("organisation") is not None:
            self.organisation_uri("organisation.uri", d["organisation"].get("uri"))
        self.each("inputTypes", d.get("inputTypes"), vocab.is_mime_type, "is not a valid MIME type")
        self.each("outputTypes", d.get("outputTypes"), vocab.is_mime_type, "is not a valid MIME type")
        self.not_empty("platforms", d.get("platforms"))
        categories_message = f"must be a valid category (see {CATEGORIES_URL})"
        self.each("categories", d.get("categories"), vocab.CATEGORIES.__contains__, categories_message)
        for i, funder in enumerate(d.get("fundedBy") or []):
            self.organisation_uri(f"fundedBy[{i}].uri", (funder or {}).get("uri"))
        self.http_url("roadmap", d.get("roadmap"))
        self.one_of("developmentStatus", d.get("developmentStatus"), vocab.DEVELOPMENT_STATUSES)
        self.one_of("softwareType", d.get("softwareType"), vocab.SOFTWARE_TYPES)
        audience = d.get("intendedAudience") or {}
        scope_message = f"must be a valid scope (see {SCOPES_URL})"
        self.each("intendedAudience.scope", audience.get("scope"), vocab.SCOPES.__contains__, scope_message)
        country_message = "must be a valid ISO 3166-1 alpha-2 two-letter country code"
        for name in ("countries", "unsupportedCountries"):
            self.each(f"intendedAudience.{name}", audience.get(name), vocab.is_country, country_message)
        self.description(d.get("description"))
        legal = d.get("legal") or {}
        if self.required("legal.license", legal.get("license")) and not text.is_spdx(legal["license"]):
            self.error("legal.license", "license must be a valid license (see https://spdx.org/licenses)")
        self.maintenance(d.get("maintenance") or {})
        localisation = d.get("localisation") or {}
        if localisation.get("localisationReady") is None:
            self.error("localisation.localisationReady", "localisationReady is a required field")
        languages = localisation.get("availableLanguages")
        if languages is None:
            self.error("localisation.availableLanguages", "availableLanguages is a required field")
        elif self.not_empty("localisation.availableLanguages", languages):
            self.each("localisation.availableLanguages", languages, vocab.is_bcp47, "must be a valid BCP 47 language")
        for kind in ("open", "proprietary", "hardware"):
            for i, dependency in enumerate((d.get("dependsOn") or {}).get(kind) or []):
                self.required(f"dependsOn.{kind}[{i}].name", (dependency or {}).get("name"))
        for section in ("IT", "it"):
            it = d.get(section)
            if it is None:
                continue
            version = it.get("countryExtensionVersion")
            if version is not None and version not in vocab.IT_EXTENSION_VERSIONS:
                self.error(
                    f"{section}.countryExtensionVersion",
                    f"countryExtensionVersion must be one of the following: {_one_of(vocab.IT_EXTENSION_VERSIONS)}",
                )
            code = (it.get("riuso") or {}).get("codiceIPA")
            if code and not vocab.is_ipa_code_format(code):
                self.error(
                    f"{section}.riuso.codiceIPA",
                    f"codiceIPA must be a valid Italian Public Administration Code (iPA) (see {IPA_URL})",
                )

    def description(self, description):
        if not self.not_empty("description", description):
            return
        if not all(vocab.is_bcp47(lang) for lang in description):
            self.error("description", "description must be a valid BCP 47 language")
        for lang, desc in description.items():
            key = f"description.{lang}"
            self.max_length(f"{key}.genericName", desc.get("genericName"), 35)
            short = desc.get("shortDescription")
            if self.required(f"{key}.shortDescription", short):
                self.max_length(f"{key}.shortDescription", short, 150)
            long = desc.get("longDescription")
            if self.required(f"{key}.longDescription", long):
                length = text.grapheme_length(long)
                if length < 150:
                    self.error(f"{key}.longDescription", "longDescription must be at least 150 characters in length")
                self.max_length(f"{key}.longDescription", long, 10000)
            self.http_url(f"{key}.documentation", desc.get("documentation"))
            self.http_url(f"{key}.apiDocumentation", desc.get("apiDocumentation"))
            if not self.v1 or desc.get("features") is not None:  # v1 makes features optional
                self.not_empty(f"{key}.features", desc.get("features"))
            self.each(f"{key}.videos", desc.get("videos"), text.is_http_url, "must be an HTTP URL")

    def maintenance(self, maintenance):
        kind = maintenance.get("type")
        self.one_of("maintenance.type", kind, vocab.MAINTENANCE_TYPES)
        contractors, contacts = maintenance.get("contractors"), maintenance.get("contacts")
        if kind == "contract" and not contractors:
            self.error("maintenance.contractors", 'contractors is a required field when "type" is "contract"')
        if kind != "contract" and contractors is not None:
            self.error("maintenance.contractors", 'contractors must not be present unless "type" is "contract"')
        elif contractors:
            for i, contractor in enumerate(contractors):
                key, contractor = f"maintenance.contractors[{i}]", contractor or {}
                self.required(f"{key}.name", contractor.get("name"))
                self.email(f"{key}.email", contractor.get("email"))
                self.http_url(f"{key}.website", contractor.get("website"))
                if self.required(f"{key}.until", contractor.get("until")):
                    self.date(f"{key}.until", contractor["until"])
        if kind in ("community", "internal") and not contacts:
            self.error("maintenance.contacts", f'contacts is a required field when "type" is "{kind}"')
        for i, contact in enumerate(contacts or []):
            key, contact = f"maintenance.contacts[{i}]", contact or {}
            self.required(f"{key}.name", contact.get("name"))
            self.email(f"{key}.email", contact.get("email"))
