"""System checks of the settings production needs (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def site_url_is_set(app_configs, **kwargs):
    """Every link mailed (sign-up confirmation, invitations, notifications) starts with
    SITE_URL: without it the mails carry bare paths nobody can open from a mailbox."""
    url = getattr(settings, "SITE_URL", "")
    if url.startswith(("https://", "http://")):
        return []
    return [
        checks.Error(
            "SITE_URL n'est pas défini (ex. https://subventions.exemple.fr) : les liens des "
            "courriels (confirmation d'inscription, invitations, notifications) seraient "
            "inutilisables.",
            id="grants.E001",
        )
    ]
