import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('associations', '0003_association_budgets'),
        ('conventions', '0001_initial'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='convention',
            name='annex1_date',
        ),
        migrations.RemoveField(
            model_name='convention',
            name='annex1_place',
        ),
        migrations.AddField(
            model_name='convention',
            name='forecast_budget',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='conventions', to='associations.associationbudget', verbose_name='budget prévisionnel (annexe I)'),
        ),
        migrations.AddField(
            model_name='conventiontemplate',
            name='authority_intro',
            field=models.CharField(default="L'E.P.C.I.", help_text='Ligne qui précède son nom dans le bloc des parties.', max_length=100, verbose_name='présentation de la collectivité'),
        ),
    ]
