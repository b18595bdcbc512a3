from django.apps import AppConfig


class ConventionsConfig(AppConfig):
    name = "conventions"
    verbose_name = "Conventions"

    def ready(self):
        from conventions import signals  # noqa: F401
        from conventions.notifications import signals as notification_signals  # noqa: F401
