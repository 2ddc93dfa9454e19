"""The territories app takes over the Territory model from the initiatives app: same rows, no row
copied. Three steps, in this order and without a cycle:

1. here (after initiatives 0012), the model enters Django's state only, over the existing table
   initiatives_territory;
2. actors 0006, funding 0004 and initiatives 0013 point their keys at it (state only: the columns
   and their foreign keys stay), then initiatives 0013 drops the old model from the state;
3. territories 0002 renames the table, its check constraints and moves the content type.

The table is renamed only once nothing in the state names the old model: a table created or rebuilt
in between (SQLite rebuilds a table to alter it) takes its references from the state, which must
then name a table that exists.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('initiatives', '0012_territory_epci_membership'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The model as initiatives 0012 left it, over its existing table.
            state_operations=[
                migrations.CreateModel(
                    name='Territory',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=30, unique=True, verbose_name='code')),
                        ('kind', models.CharField(choices=[('world', 'International'), ('europe', 'Europe'), ('country', 'Pays'), ('region', 'Région'), ('departement', 'Département'), ('epci', 'Intercommunalité (EPCI)'), ('commune', 'Commune'), ('other', 'Autre groupement')], max_length=20, verbose_name='type')),
                        ('name', models.CharField(max_length=200, verbose_name='nom')),
                        ('official_code', models.CharField(blank=True, help_text='Code INSEE (COG) ou SIREN pour un EPCI.', max_length=20, verbose_name='code officiel')),
                        ('siren', models.CharField(blank=True, max_length=9, verbose_name='SIREN')),
                        ('epci', models.ForeignKey(blank=True, help_text="Pour une commune : l'EPCI à fiscalité propre dont elle est membre.", limit_choices_to={'kind': 'epci'}, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='member_communes', to='territories.territory', verbose_name='intercommunalité (EPCI)')),
                        ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='children', to='territories.territory', verbose_name='territoire parent')),
                    ],
                    options={
                        'verbose_name': 'territoire',
                        'verbose_name_plural': 'territoires',
                        'ordering': ['name'],
                        'db_table': 'initiatives_territory',
                        'constraints': [models.CheckConstraint(condition=models.Q(('siren', ''), ('siren__regex', '^[0-9]{9}$'), _connector='OR'), name='territories_territory_siren_format'), models.CheckConstraint(condition=models.Q(('epci__isnull', True), ('kind', 'commune'), _connector='OR'), name='territories_territory_epci_member_is_commune'), models.CheckConstraint(condition=models.Q(('kind__in', ['world', 'europe', 'country', 'region', 'departement', 'epci', 'commune', 'other'])), name='territories_territory_kind_valid')],
                    },
                ),
            ],
        ),
    ]
