from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("grants", "0004_export_jobs")]

    operations = [
        migrations.AddField(
            model_name="grant",
            name="aid_scheme_label",
            field=models.CharField(blank=True, max_length=256, verbose_name="dispositif d'aide"),
        ),
        migrations.AddField(
            model_name="historicalgrant",
            name="aid_scheme_label",
            field=models.CharField(blank=True, max_length=256, verbose_name="dispositif d'aide"),
        ),
    ]
