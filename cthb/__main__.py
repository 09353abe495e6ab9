"""`python -m cthb ...`: see cthb/cli.py."""

from cthb.cli import main

raise SystemExit(main())
