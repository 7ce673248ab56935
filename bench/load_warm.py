"""Asks for every URL of a list once (``--clients`` at a time, default 6), as the visitors
and crawlers of a day do, so that the next run of the mix finds a warm cache. Prints how long
it took, the pages per second and the answers that were not 200. Bounded by ``--seconds``."""

import argparse
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor


def fetch(numbered):
    n, url = numbered
    # From one of many visitors, as bench/load.lua's requests (the server trusts one proxy).
    address = f"{11 + n % 200}.{n * 7 % 256}.{n * 13 % 256}.{n % 250 + 1}"
    request = urllib.request.Request(url, headers={"X-Forwarded-For": address})  # noqa: S310
    try:
        # 127.0.0.1 only (checked in main).
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return "error"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("urls")
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=900)
    args = parser.parse_args()
    if not args.base.startswith("http://127.0.0.1:"):
        sys.exit("the warm-up asks 127.0.0.1 only")
    with open(args.urls, encoding="utf-8") as handle:
        urls = list(dict.fromkeys(line.strip() for line in handle if line.strip()))
    started = time.perf_counter()
    statuses = Counter()
    done = 0
    with ThreadPoolExecutor(args.clients) as pool:
        for status in pool.map(fetch, enumerate(args.base + u for u in urls)):
            statuses[status] += 1
            done += 1
            if time.perf_counter() - started > args.seconds:
                pool.shutdown(cancel_futures=True)
                break
    elapsed = time.perf_counter() - started
    others = {k: v for k, v in statuses.items() if k != 200}
    print(
        f"warm-up: {done} of {len(urls)} distinct URLs in {elapsed:.0f} s "
        f"({done / elapsed:.1f} pages/s), not 200: {others or 'none'}"
    )


if __name__ == "__main__":
    main()
