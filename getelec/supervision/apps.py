from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "getelec.supervision"
    label = "supervision"
    verbose_name = "监管"
