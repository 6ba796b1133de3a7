"""Ningxia demo and reference data.

- `reference.load_reference()`: the administrative regions (640000 → 5 cities → 22 counties) and
  organisations (supply company and branches, regulators, departments, city energy authorities).
  Real codes and names; used by production set-up, tests and the demo alike.
- `accounts`: one demo account per role (demo passwords, printed; never for production).
- `sample`: ~200 realistic applications created through `getelec.connection.services`.
- `bulk`: `--scale N` load-test data (decisions from `getelec.core.assess`, bulk inserts).
"""
