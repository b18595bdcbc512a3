from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = "Subventions"

    def ready(self):
        from grants import checks  # noqa: F401  (registers the deploy checks)
