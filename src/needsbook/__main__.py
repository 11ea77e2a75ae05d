"""``python -m needsbook``: the same command line as ``needsbook``."""

import sys

from needsbook.cli import main

sys.exit(main())
