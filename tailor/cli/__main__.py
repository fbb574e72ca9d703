"""``python -m tailor.cli ...`` is the same as the ``tailor`` console script."""
import sys

from tailor.cli import main

sys.exit(main())
