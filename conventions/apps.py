from django.apps import AppConfig


class ConventionsConfig(AppConfig):
    name = "conventions"
    verbose_name = "Conventions"

    def ready(self):
        # Grant changes made anywhere (admin included) keep each convention's amount in step;
        # the receivers need the models, so they are connected once the registry is ready.
        from conventions import signals  # noqa: F401
