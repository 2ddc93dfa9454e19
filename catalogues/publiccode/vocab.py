"""Closed vocabularies of the publiccode.yml standard and of the identifiers it uses.

They are written out here so that validation needs no network: the categories and scopes come
from the standard's lists (as the reference parser embeds them), the country codes from
ISO 3166-1 alpha-2 and the language subtags from ISO 639-1 (plus a few common ISO 639-3 codes).
"""

import re


def _words(text: str) -> frozenset:
    return frozenset(text.split())


SUPPORTED_VERSIONS = (
    "0", "0.2", "0.2.0", "0.2.1", "0.2.2", "0.3", "0.3.0", "0.4", "0.4.0", "0.5.0", "0.5", "0.7.0", "0.7",
)  # fmt: skip
# The version the reference parser reads every v0 file as, and the value it recommends writing.
LATEST_VERSION = "0.7"
RECOMMENDED_VERSION = "0"

DEVELOPMENT_STATUSES = ("concept", "development", "beta", "stable", "obsolete")
SOFTWARE_TYPES = (
    "standalone/mobile", "standalone/iot", "standalone/desktop", "standalone/web", "standalone/backend",
    "standalone/other", "addon", "library", "configurationFiles",
)  # fmt: skip
MAINTENANCE_TYPES = ("internal", "contract", "community", "none")
IT_EXTENSION_VERSIONS = ("0.2", "1.0")

CATEGORIES = _words(
    """
    accounting agile-project-management applicant-tracking application-development appointment-scheduling
    backup billing-and-invoicing blog budgeting business-intelligence business-process-management cad
    call-center-management cloud-management collaboration communications compliance-management
    contact-management content-management crm customer-service-and-support data-analytics data-collection
    data-visualization design design-system digital-asset-management digital-citizenship document-management
    donor-management e-commerce e-signature educational-content email-management email-marketing
    employee-management enterprise-project-management enterprise-social-networking erp event-management
    facility-management feedback-and-reviews-management financial-reporting fleet-management fundraising
    gamification geographic-information-systems grant-management graphic-design help-desk hr ide
    identity-management instant-messaging integrated-library-system inventory-management it-asset-management
    it-development it-management it-security it-service-management knowledge-management
    learning-management-system marketing mind-mapping mobile-marketing mobile-payment network-management
    office online-booking online-community other payment-gateway payroll predictive-analysis procurement
    productivity-suite project-collaboration project-management property-management real-estate-management
    regulations-and-directives remote-support resource-management sales-management seo service-desk
    social-media-management survey talent-management task-management taxes-management test-management
    time-management time-tracking translation video-conferencing video-editing visitor-management voip
    warehouse-management web-collaboration web-conferencing website-builder whistleblowing workflow-management
    """
)

SCOPES = _words(
    """
    agriculture culture defence education emergency-services employment energy environment
    finance-and-economic-development foreign-affairs government healthcare infrastructures justice
    local-authorities manufacturing research science-and-technology security society sport tourism
    transportation welfare
    """
)

COUNTRIES = _words(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW
    BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI
    FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN
    IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME
    MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF
    PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE
    YT ZA ZM ZW
    """
)

# ISO 639-1, the two-letter language subtags of BCP 47.
LANGUAGES_2 = _words(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz
    ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik
    io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml
    mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd
    se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi
    vo wa wo xh yi yo za zh zu
    """
)
# A short list of three-letter subtags with no two-letter form that public software is translated into;
# other three-letter subtags are refused (the reference parser knows the whole IANA registry).
LANGUAGES_3 = _words("ast ckb fil frp gsw haw yue zgh kab cmn nds hsb dsb szl vec scn lij lmo pms fur")

_BCP47 = re.compile(
    r"^(?P<lang>[A-Za-z]{2,3})(?:-[A-Za-z]{3}){0,3}"  # language, extended language subtags
    r"(?:-[A-Za-z]{4})?"  # script
    r"(?:-(?:[A-Za-z]{2}|\d{3}))?"  # region
    r"(?:-(?:[A-Za-z\d]{5,8}|\d[A-Za-z\d]{3}))*"  # variants
    r"(?:-[A-WY-Za-wy-z\d](?:-[A-Za-z\d]{2,8})+)*"  # extensions
    r"(?:-[xX](?:-[A-Za-z\d]{1,8})+)?$"  # private use
)


def is_bcp47(tag: str) -> bool:
    """Well-formed BCP 47 tag (hyphens only: en_GB is a POSIX locale, not a tag) with a known language."""
    match = _BCP47.match(tag or "")
    if not match:
        return False
    lang = match["lang"].lower()
    return lang in LANGUAGES_2 or lang in LANGUAGES_3


def is_country(code: str) -> bool:
    """ISO 3166-1 alpha-2, upper or lower case but not mixed ("Fr" is refused), as the parser does."""
    return code.upper() in COUNTRIES and code in (code.upper(), code.lower())


_MIME = re.compile(r"^[A-Za-z0-9][\w!#$&^.+-]*/[A-Za-z0-9][\w!#$&^.+-]*(?:\s*;.*)?$")


def is_mime_type(value: str) -> bool:
    return bool(_MIME.match(value))


# iPA codes (Indice delle Pubbliche Amministrazioni) are lower-case letters, digits and underscores.
# Only the format is checked: the registry itself (some 23,000 codes) is not bundled.
_IPA = re.compile(r"^[a-z0-9_]{2,}$")


def is_ipa_code_format(value: str) -> bool:
    return bool(_IPA.match(value))
