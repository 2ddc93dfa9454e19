"""An index on (publication_status, kind): the total of a list by kind is counted from the index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0017_clear_script_contact_points")]

    operations = [
        migrations.AddIndex(
            model_name="initiative",
            index=models.Index(fields=["publication_status", "kind"], name="initiatives_published_by_kind"),
        ),
    ]
