from django.apps import AppConfig


class OutagesConfig(AppConfig):
    name = "getelec.outages"
    label = "outages"
    verbose_name = "供电质量"
