"""A funding scheme's territory is now territories.Territory (see territories 0001): the state only,
the column and its foreign key stay as they are."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('funding', '0003_sources_help_text'),
        ('territories', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='fundingscheme',
                    name='territory',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='funding_schemes', to='territories.territory', verbose_name='territoire'),
                ),
                migrations.AlterField(
                    model_name='historicalfundingscheme',
                    name='territory',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='territories.territory', verbose_name='territoire'),
                ),
            ],
        ),
    ]
