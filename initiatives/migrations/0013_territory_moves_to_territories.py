"""Territory moves to the territories app (see territories 0001): the commons' territories (and
their history) point at the new model, then the old one leaves the state. Django's state only: the
link tables (initiatives_initiative_territories, its history) keep their rows and columns."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('initiatives', '0012_territory_epci_membership'),
        ('territories', '0001_initial'),
        # Every key to the old model points at the new one before it leaves the state.
        ('actors', '0006_territory_moves_to_territories'),
        ('funding', '0004_territory_moves_to_territories'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='historicalinitiative_territories',
                    name='territory',
                    field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='territories.territory'),
                ),
                migrations.AlterField(
                    model_name='initiative',
                    name='territories',
                    field=models.ManyToManyField(blank=True, related_name='initiatives', to='territories.territory', verbose_name='territoires'),
                ),
                migrations.DeleteModel(
                    name='Territory',
                ),
            ],
        ),
    ]
