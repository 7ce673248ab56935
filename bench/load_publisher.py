"""Publishing during the load test: every INTERVAL seconds a document is published or withdrawn
through the services (``disclosure.documents.services``), as staff do all day. Each round adds a
copy of a public document of the benchmark database as a draft and publishes it; the next one
withdraws it. ``--global`` also writes a new public version after each change: every cached page
is forgotten, as when any change of public content did so (before scoped invalidation).

Run by bench/load (LOAD_PUBLISH=seconds) until it is stopped; prints what it did on exit."""

import argparse
import signal
import sys
import time

from common import ROOT  # noqa: F401, I001 - sets up Django first
from django.utils import timezone

from disclosure.documents.models import Document
from disclosure.documents.services import publish, withdraw
from portal import page_cache
from portal.actors import SYSTEM

COPIED_FIELDS = ["summary", "body", "agency_id", "node_id", "topic_id", "genre_id", "written_on"]


def new_draft(model, n):
    """A draft copying ``model``'s metadata (its column, agency, topic, genre)."""
    values = {name: getattr(model, name) for name in COPIED_FIELDS}
    return Document.objects.create(title=f"压测期间发布的文件 {n}", is_demo=True, **values)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("interval", type=float)
    parser.add_argument("--global", dest="everything", action="store_true")
    args = parser.parse_args()
    model = Document.objects.public().order_by("-pk").first()
    if model is None:
        sys.exit("the benchmark database has no public document")
    done = {"published": 0, "withdrawn": 0}
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    current, n = None, 0
    try:
        while not stop:
            time.sleep(args.interval)
            if current is None:
                n += 1
                current = publish(new_draft(model, n), SYSTEM)
                done["published"] += 1
            else:
                withdraw(current, SYSTEM, "压测撤回")
                current = None
                done["withdrawn"] += 1
            if args.everything:
                page_cache.bump_public_version()
    except KeyboardInterrupt:
        pass
    finally:
        mode = "global version" if args.everything else "scoped"
        print(
            f"publisher ({mode}, every {args.interval:g} s): {done['published']} published, "
            f"{done['withdrawn']} withdrawn, until {timezone.now():%H:%M:%S}"
        )


if __name__ == "__main__":
    main()
