"""getting-electricity (获得电力): runs Ningxia's Getting Electricity policy day to day."""

__version__ = "0.1.0"
