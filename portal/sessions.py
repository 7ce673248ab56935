"""Sessions in the database (``SESSION_ENGINE = "portal.sessions"``), never in a cache.

Staff sessions are read once per request and, with ``SESSION_SAVE_EVERY_REQUEST`` (the sliding
expiry), written once per request anyway: a cache in front would save one read by primary key,
and would sign staff out when Redis fails, or bring back a signed-out session when Redis is
restarted from an old snapshot.

A browser may send a session cookie that names no session: made up, expired, signed out. Django
saves a session that was never read in the request as if it were one, and saving one that does
not exist creates a new row: one per request for a client that keeps sending the same cookie.
Here a session never read is read before the end of the request decides whether to save it;
a cookie naming no session is then empty, and its cookie is deleted instead of a row written.
That read is the one the save would have made.
"""

from django.contrib.sessions.backends import db


class SessionStore(db.SessionStore):
    def is_empty(self):
        if self._session_key and not hasattr(self, "_session_cache"):
            # Not ``_get_session``: reading it here is not the request using the session.
            self._session_cache = self.load()
        return super().is_empty()
