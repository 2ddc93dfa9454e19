"""The API's router: each feature app registers its endpoints here from its api.py."""

from rest_framework.routers import DefaultRouter


class Router(DefaultRouter):
    include_root_view = True
    include_format_suffixes = False


router = Router()
