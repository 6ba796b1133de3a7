"""`python -m getelec.cli` is `getelec`."""

from getelec.cli import main

raise SystemExit(main())
