"""Contact points stored before they were checked: one that a browser would run or open as a
document (javascript:, data:, vbscript:, file:, blob:) is emptied, as the form and the API now
refuse it. It was shown as text only, so no reader loses a way to reach anyone."""

from django.db import migrations


def clear_script_contact_points(apps, schema_editor):
    from communs.validators import validate_no_script_url
    from django.core.exceptions import ValidationError

    Initiative = apps.get_model("initiatives", "Initiative")
    refused = []
    for pk, contact_point in Initiative.objects.exclude(contact_point="").values_list("pk", "contact_point"):
        try:
            validate_no_script_url(contact_point)
        except ValidationError:
            refused.append(pk)
    Initiative.objects.filter(pk__in=refused).update(contact_point="")


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0016_hosted_instances_become_deployments")]

    operations = [migrations.RunPython(clear_script_contact_points, migrations.RunPython.noop)]
