"""``python -m nnplayground``: the same as the ``nnplayground`` command."""
import sys

from .server.cli import main

sys.exit(main())
