"""Descriptions keep their rendered HTML (communs/markdown.py) and are bounded in size."""


import communs.markdown
from django.db import migrations, models


def render_existing(apps, schema_editor):
    """Store the HTML of the descriptions already saved (pages read it, never render it)."""
    communs.markdown.render_saved(apps, "initiatives", "Initiative", ['description', 'how_to_contribute'])


class Migration(migrations.Migration):

    dependencies = [
        ('initiatives', '0007_tags_never_without_slug'),
    ]

    operations = [
        migrations.AddField(
            model_name='initiative',
            name='description_html',
            field=models.TextField(blank=True, default='', editable=False),
        ),
        migrations.AddField(
            model_name='initiative',
            name='how_to_contribute_html',
            field=models.TextField(blank=True, default='', editable=False),
        ),
        migrations.AlterField(
            model_name='historicalinitiative',
            name='description',
            field=models.TextField(blank=True, help_text="Markdown ; le HTML est nettoyé à l'affichage.", validators=[communs.markdown.validate_markdown], verbose_name='description'),
        ),
        migrations.AlterField(
            model_name='historicalinitiative',
            name='how_to_contribute',
            field=models.TextField(blank=True, validators=[communs.markdown.validate_markdown], verbose_name='comment participer'),
        ),
        migrations.AlterField(
            model_name='initiative',
            name='description',
            field=models.TextField(blank=True, help_text="Markdown ; le HTML est nettoyé à l'affichage.", validators=[communs.markdown.validate_markdown], verbose_name='description'),
        ),
        migrations.AlterField(
            model_name='initiative',
            name='how_to_contribute',
            field=models.TextField(blank=True, validators=[communs.markdown.validate_markdown], verbose_name='comment participer'),
        ),
        migrations.RunPython(render_existing, migrations.RunPython.noop),
    ]
