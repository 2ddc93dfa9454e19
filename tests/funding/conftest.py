# The funding finder's tests read the same small directory as the site's pages.
from tests.site.conftest import _directory, directory  # noqa: F401
