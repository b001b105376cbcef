"""``python -m eenzaamheid_data`` is the ``eenzaamheid`` command."""

from .cli import run_program

run_program()
