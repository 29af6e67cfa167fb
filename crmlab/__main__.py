"""``python -m crmlab``: the same as the ``crmlab`` command."""

import sys

from crmlab.cli import main

sys.exit(main())
