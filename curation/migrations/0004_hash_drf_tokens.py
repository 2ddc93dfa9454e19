"""Move the tokens of DRF's `authtoken` (keys stored in clear) into ApiToken (hashed), then drop them.

Existing clients keep working: the same key now matches its SHA-256 digest. `rest_framework.authtoken`
is no longer installed, so its table is read with plain SQL when an older database still has it (a
new database never had it); then the table, its migration records and its content types go, with the
admin log lines about tokens, whose text was the key itself.
"""

import datetime
import hashlib

from django.db import migrations
from django.utils import timezone

LEGACY_TABLE = "authtoken_token"


def hash_legacy_tokens(apps, schema_editor):
    connection = schema_editor.connection
    ContentType = apps.get_model("contenttypes", "ContentType")
    legacy_types = ContentType.objects.using(connection.alias).filter(app_label="authtoken")
    LogEntry = apps.get_model("admin", "LogEntry")
    LogEntry.objects.using(connection.alias).filter(content_type__in=legacy_types).delete()
    legacy_types.delete()  # and their permissions
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("curation", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {LEGACY_TABLE}")
        rows = cursor.fetchall()
    ApiToken.objects.using(connection.alias).bulk_create(
        ApiToken(
            user_id=user_id,
            name="Jeton repris de l'ancien système",
            prefix=key[:8],
            digest=hashlib.sha256(key.encode()).hexdigest(),
            # SQLite hands back naive UTC datetimes from a raw query.
            created_at=created if timezone.is_aware(created) else timezone.make_aware(created, datetime.timezone.utc),
        )
        for key, user_id, created in rows
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {LEGACY_TABLE}")
        cursor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0003_api_tokens"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [migrations.RunPython(hash_legacy_tokens, migrations.RunPython.noop)]
