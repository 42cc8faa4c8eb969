"""`python -m moengage_mcp` is `moengage-mcp`."""

import sys

from .cli import main

sys.exit(main())
