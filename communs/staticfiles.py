"""The production static files storage: hashed, compressed names, except that django-dsfr's files stay byte-identical.

django-dsfr writes a Subresource Integrity hash (computed on its shipped files) next to its
stylesheets and scripts. Django's manifest storage rewrites every `url(...)` of a stylesheet to
the referenced file's hashed name, which changes the bytes: browsers then refuse the DSFR
stylesheets and every page falls back to bare Times. These files are left as shipped; their
hashed copy is still what `{% static %}` links (so it is cached for a year), and the fonts and
icons they reference by relative path are served under their original names.
"""

from dsfr.constants import DsfrStaticAssets
from whitenoise.storage import CompressedManifestStaticFilesStorage

# The files whose integrity django-dsfr pins (dsfr/checksums.py).
INTEGRITY_PINNED = frozenset(
    {
        DsfrStaticAssets.DSFR_CSS,
        DsfrStaticAssets.DSFR_UTILITY_CSS,
        DsfrStaticAssets.DSFR_MODULE_JS,
        DsfrStaticAssets.DSFR_NOMODULE_JS,
    }
)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def url_converter(self, name, hashed_files, template=None):
        if name in INTEGRITY_PINNED:
            return lambda match: match["matched"]
        return super().url_converter(name, hashed_files, template)
