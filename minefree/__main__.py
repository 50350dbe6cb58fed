"""``python -m minefree``: the ``minefree`` command (``minefree/cli.py``)."""

from minefree.cli import main

main()
