"""The tests' one way to move time: time-machine, with time standing still where it lands."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings


def on_day(day, at=time(12)):
    """Within the block, every clock (timezone.now, localdate, time.time) reads ``day`` at
    ``at`` in the portal's time zone, and stands still."""
    return time_machine.travel(
        datetime.combine(day, at, tzinfo=ZoneInfo(settings.TIME_ZONE)), tick=False
    )
