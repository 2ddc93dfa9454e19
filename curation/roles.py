"""The curators' roles, as Django groups with the least permissions each needs.

- Curateur: creates and edits entries (and their involvements, editions, awards,
  criteria), submits them for review, reads the suggestion queue, makes and revokes
  their own API tokens.
- Éditeur: everything a curator does, plus publish / archive / send back to draft,
  handle suggestions, manage the reference sectors.
- Making a token for another account (which then acts in its name) is for superusers, or an
  account given `curation.manage_others_apitoken` by hand: no role has it.
- Deleting an entry is left to superusers: editors archive instead, so nothing is lost.

`sync_roles()` is idempotent; the data migration, every `migrate` (post_migrate, so a
role gains the permissions of a model added later) and `manage.py setup_roles` call it.
"""

CURATOR = "Curateur"
EDITOR = "Éditeur"

_EDIT = ("add", "change", "view")
_FULL = ("add", "change", "delete", "view")

CURATOR_PERMISSIONS = [
    *[f"initiatives.{action}_initiative" for action in _EDIT],
    *[f"funding.{action}_fundingscheme" for action in _EDIT],
    *[f"actors.{action}_actor" for action in _EDIT],
    # Inline rows: editing an entry means adding and removing these.
    *[f"initiatives.{action}_involvement" for action in _FULL],
    *[f"initiatives.{action}_criterionassessment" for action in _FULL],
    *[f"funding.{action}_fundingedition" for action in _FULL],
    *[f"funding.{action}_award" for action in _FULL],
    # The queue of derived facts (initiatives/admin.py): confirmed or rejected, never added by hand.
    "initiatives.view_derivation",
    "initiatives.change_derivation",
    # Autocomplete needs view permission on the target.
    "initiatives.view_sector",
    "initiatives.view_category",
    "territories.view_territory",
    "taggit.view_tag",
    "curation.view_suggestion",
    # Their own API tokens only (curation/admin_tokens.py); another account's need
    # curation.manage_others_apitoken, which no role grants.
    *[f"curation.{action}_apitoken" for action in _EDIT],
]

EDITOR_PERMISSIONS = [
    *CURATOR_PERMISSIONS,
    "initiatives.publish_initiative",
    "funding.publish_fundingscheme",
    "actors.publish_actor",
    "curation.change_suggestion",
    "initiatives.add_sector",
    "initiatives.change_sector",
]

ROLES = {CURATOR: CURATOR_PERMISSIONS, EDITOR: EDITOR_PERMISSIONS}


def sync_roles(apps=None, strict=True):
    """Create or update the groups so that each has exactly its role's permissions.

    `strict=False` skips permissions that do not exist yet: the data migration runs
    against an old schema state, where permissions added later are still missing.
    """
    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # Every permission the roles name, read in one query (tests and each `migrate` call this).
    wanted_all = {dotted for wanted in ROLES.values() for dotted in wanted}
    found = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.filter(
            content_type__app_label__in={dotted.split(".")[0] for dotted in wanted_all},
            codename__in={dotted.split(".")[1] for dotted in wanted_all},
        ).values_list("pk", "content_type__app_label", "codename")
    }
    for name, wanted in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = []
        for dotted in wanted:
            if dotted in found:
                permissions.append(found[dotted])
            elif strict:
                # A renamed model would silently weaken a role: fail loudly instead.
                raise LookupError(f"permission {dotted} does not exist (run migrate first)")
        group.permissions.set(permissions)
