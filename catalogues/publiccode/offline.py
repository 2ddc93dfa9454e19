"""Reference test cases whose expected errors cannot be reproduced offline, and why.

The parser checks these by fetching a URL, opening a file of the repository, or looking a code
up in a registry it downloads; this package does none of that, so for these cases it reports
the expected errors minus those checks (the test suite verifies exactly that).
"""

OFFLINE_UNCHECKED = {
    "description_en_screenshots_missing_file.yml": "existence of the screenshot file in the repository",
    "description_en_videos_invalid_oembed.yml": "oEmbed providers list (oembed.com/providers.json) is not bundled",
    "legal_authorsFile_missing_file.yml": "existence of the authors file in the repository",
    "logo_missing_file.yml": "existence of the logo file in the repository",
    "logo_missing_url.yml": "HTTP GET of the logo URL",
    "monochromeLogo_missing_file.yml": "existence of the logo file in the repository",
    "organisation_uri_wrong_italian_pa2.yml": (
        "iPA registry of Italian public bodies (downloaded by the parser); only the code's format is checked"
    ),
}
