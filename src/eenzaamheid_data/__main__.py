"""``python -m eenzaamheid_data`` is the ``eenzaamheid`` command."""

from .program import run

run()
