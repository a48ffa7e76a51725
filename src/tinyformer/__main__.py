"""Run the command line: ``python -m tinyformer``."""

import sys

from tinyformer.cli import main

sys.exit(main())
