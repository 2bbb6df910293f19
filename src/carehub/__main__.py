"""`python -m carehub` runs the command line (cli.py)."""

import sys

from carehub.cli import main

sys.exit(main())
