"""Moved to ``portal.downloads``; this name is the same module until its importers move."""

import sys

from portal import downloads

sys.modules[__name__] = downloads
