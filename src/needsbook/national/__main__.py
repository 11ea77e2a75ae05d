"""``python -m needsbook.national``: work out and write the national tables."""

import sys

from needsbook.national.derive import main

sys.exit(main())
