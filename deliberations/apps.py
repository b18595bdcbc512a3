from django.apps import AppConfig


class DeliberationsConfig(AppConfig):
    name = "deliberations"
