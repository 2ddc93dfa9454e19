"""Descriptions keep their rendered HTML (communs/markdown.py) and are bounded in size."""


import communs.markdown
from django.db import migrations, models


def render_existing(apps, schema_editor):
    """Store the HTML of the descriptions already saved (pages read it, never render it)."""
    communs.markdown.render_saved(apps, "actors", "Actor", ['description'])


class Migration(migrations.Migration):

    dependencies = [
        ('actors', '0003_history_and_workflow'),
    ]

    operations = [
        migrations.AddField(
            model_name='actor',
            name='description_html',
            field=models.TextField(blank=True, default='', editable=False),
        ),
        migrations.AlterField(
            model_name='actor',
            name='description',
            field=models.TextField(blank=True, validators=[communs.markdown.validate_markdown], verbose_name='description'),
        ),
        migrations.AlterField(
            model_name='historicalactor',
            name='description',
            field=models.TextField(blank=True, validators=[communs.markdown.validate_markdown], verbose_name='description'),
        ),
        migrations.RunPython(render_existing, migrations.RunPython.noop),
    ]
