"""Step 3 of the move (see 0001): the table takes the app's name (initiatives_territory ->
territories_territory; the rows, their ids and the keys pointing at them stay), so do its check
constraints, and the content type moves so that permissions and admin log entries follow."""

from django.db import migrations

OLD_TABLE, NEW_TABLE = "initiatives_territory", "territories_territory"
CONSTRAINTS = ["siren_format", "epci_member_is_commune", "kind_valid"]


def rename_constraints(apps, schema_editor, source=OLD_TABLE, target=NEW_TABLE, table=NEW_TABLE):
    # PostgreSQL keeps constraint names through a table rename: give them the territories app's
    # names, which the model declares. SQLite rebuilds a table from the model whenever it alters
    # one, so its stored names never matter.
    if schema_editor.connection.vendor != "postgresql":
        return
    for suffix in CONSTRAINTS:
        schema_editor.execute(f"ALTER TABLE {table} RENAME CONSTRAINT {source}_{suffix} TO {target}_{suffix}")


def rename_constraints_back(apps, schema_editor):
    # Unapplied in reverse order: the table has its new name still.
    rename_constraints(apps, schema_editor, source=NEW_TABLE, target=OLD_TABLE)


def move_content_type(apps, schema_editor, source="initiatives", target="territories"):
    # Permissions (and so the curators' roles) and admin log entries point to the content type:
    # moving the row keeps them. A fresh database has none yet (created after migrate), or both
    # (curation 0002 creates the permissions of every model in the state, which held both models
    # between 0001 and initiatives 0013): the new one is kept, with the old one's grants.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    LogEntry = apps.get_model("admin", "LogEntry")
    old = ContentType.objects.filter(app_label=source, model="territory").first()
    if old is None:
        return
    new = ContentType.objects.filter(app_label=target, model="territory").first()
    if new is None:
        old.app_label = target
        old.save(update_fields=["app_label"])
        return
    for permission in Permission.objects.filter(content_type=old):
        twin = Permission.objects.filter(content_type=new, codename=permission.codename).first()
        if twin is None:
            permission.content_type = new
            permission.save(update_fields=["content_type"])
        else:
            twin.group_set.add(*permission.group_set.all())
            twin.user_set.add(*permission.user_set.all())
            permission.delete()
    LogEntry.objects.filter(content_type=old).update(content_type=new)
    old.delete()


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source="territories", target="initiatives")


class Migration(migrations.Migration):

    dependencies = [
        ('admin', '0003_logentry_add_action_flag_choices'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('territories', '0001_initial'),
        # Nothing in the state names the old model any more.
        ('initiatives', '0013_territory_moves_to_territories'),
    ]

    operations = [
        migrations.AlterModelTable(name='territory', table=None),
        migrations.RunPython(rename_constraints, rename_constraints_back),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
