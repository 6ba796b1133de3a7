"""The shared kernel: what every domain may import (see docs/architecture.md).

- `errors`: the one error family of the services, mapped once to HTTP, form and CLI errors.
- `access`: active users, region and company scoping, "sees everything" (over accounts.powers).
- `policy`: the one way to read a policy value (`param`).
- `setup`: Django setup for console commands.

A domain imports the kernel and other domains' public service functions, never their selectors
or private names (getelec/kernel/tests/test_structure.py checks it).
"""
