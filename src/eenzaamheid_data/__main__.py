"""``python -m eenzaamheid_data`` is the ``eenzaamheid`` command."""

import sys

from .cli import main

sys.exit(main())
