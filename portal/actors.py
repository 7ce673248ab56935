"""Who acts in the portal: a person (a user), or ``SYSTEM``, the portal itself.

``SYSTEM`` is what management commands and the reports the portal makes act as: it may do what
the workflow lets the system do and sees every agency. A missing user (None) is never taken to
mean the system: every function that acts for someone asks for one of the two.
"""


class _System:
    def __repr__(self):
        return "SYSTEM"

    def __reduce__(self):
        return "SYSTEM"


SYSTEM = _System()
