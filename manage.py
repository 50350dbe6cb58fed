#!/usr/bin/env python
"""Django's command-line utility for minefree (same as the ``minefree`` command)."""

from minefree.cli import main

if __name__ == "__main__":
    main()
