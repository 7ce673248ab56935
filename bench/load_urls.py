"""Writes a URL mix of the load test for wrk's script (``urls = {...}``), drawn from the database.

``--mix distinct`` (the headline): ``--size`` URLs (default 24,000, over 20,000 of them
different) in a shuffled order, as real visitors and crawlers ask for them: 40 % document pages drawn from every
public document, 30 % listings (every visible column, its pages and its filters by year, genre
and topic), 15 % searches (words and phrases of the documents' titles, their 文号 and agencies,
a second page, newest first, one filter) and 15 % the home page, the tree and the tree below a
column, the guides, 依申请公开 and the sitemaps. ``--mix cycle``: the 400 URLs of the earlier
benchmark, which a warm cache holds whole.
"""

import argparse
import os
import random
from urllib.parse import urlencode

from common import ROOT  # noqa: F401, I001 - sets up Django first
from django.db.models.functions import ExtractYear

from catalog.models import CatalogNode
from disclosure.documents.models import Document, Topic
from disclosure.documents.models.counts import public_subtree_listing, with_content

WORDS = ["通知", "工作", "乡村振兴", "安全生产", "养老 服务", "铜府办发〔2024〕3号", "森林防火"]
PER_PAGE = 20


def cycle_mix(rng):
    documents = list(Document.objects.public().values_list("pk", flat=True)[:2000])
    columns = list(with_content(CatalogNode.objects.visible()))  # a blank one is not found
    # The pages each column has: a page past the last is served but never cached.
    last_page = {
        column.pk: max(1, -(-public_subtree_listing(column)[0] // PER_PAGE)) for column in columns
    }
    urls = []
    for _ in range(400):
        roll = rng.random()
        if roll < 0.15:
            urls.append("/")
        elif roll < 0.55:
            urls.append(f"/documents/{rng.choice(documents)}/")
        elif roll < 0.85:
            column = rng.choice(columns).pk
            page = min(rng.choice([1, 1, 1, 2, 3, 10, 50]), last_page[column])
            urls.append(f"/catalog/{column}/?page={page}")
        else:
            urls.append("/search/?" + urlencode({"q": rng.choice(WORDS)}))
    return urls


def query_words(rng, titles, numbers, agencies):
    """Search queries as people type them: a word or two of a title, a phrase of it, a 文号 with
    its brackets, an agency's name."""
    queries = set()
    for title in titles:
        words = [w for w in title.replace("（", " ").replace("）", " ").split() if len(w) >= 2]
        text = title.replace(" ", "")
        roll = rng.random()
        if roll < 0.4 and len(text) >= 4:
            start = rng.randrange(0, len(text) - 3)
            queries.add(text[start : start + rng.choice([2, 2, 3, 4])])
        elif roll < 0.7 and len(text) >= 8:
            start = rng.randrange(0, len(text) - 7)
            queries.add(text[start : start + rng.randint(6, 12)])  # a long phrase
        elif len(words) >= 2:
            queries.add(" ".join(rng.sample(words, 2)))
        elif roll < 0.8:
            queries.add(title)  # a whole title, pasted
    queries.update(numbers)
    queries.update(agencies)
    return sorted(queries)


def distinct_mix(rng, size):
    public = Document.objects.public()
    ids = list(public.order_by().values_list("pk", flat=True))
    # The columns the public sees (a blank one is not found).
    shown = with_content(CatalogNode.objects.visible())
    columns = list(shown.order_by("tree_id", "lft").values_list("pk", flat=True))
    nodes = {node.pk: node for node in CatalogNode.objects.visible().filter(pk__in=columns)}
    sampled = rng.sample(ids, min(len(ids), 4000))
    titles = list(public.filter(pk__in=sampled[:3000]).values_list("title", flat=True))
    numbers = [
        n for n in public.filter(pk__in=sampled[3000:]).values_list("doc_number", flat=True) if n
    ][:400]
    agencies = sorted(
        {a for a in public.filter(pk__in=sampled[:200]).values_list("agency__name", flat=True)}
    )
    queries = query_words(rng, titles, numbers, agencies)

    want = {"documents": 0.40, "listings": 0.30, "search": 0.15}
    documents = [f"/documents/{pk}/" for pk in rng.sample(ids, min(len(ids), int(size * 0.40)))]

    # Filters as visitors pick them: values the column offers, those of a document filed in it
    # (or below it); a value a column does not hold is served but never kept.
    parents = dict(CatalogNode.objects.values_list("pk", "parent_id"))
    topic_parents = dict(Topic.objects.values_list("pk", "parent_id"))
    filed = list(
        public.filter(pk__in=sampled)
        .annotate(year=ExtractYear("published_at"))
        .values_list("node_id", "year", "genre_id", "topic_id")
    )
    years = sorted({year for _node, year, _genre, _topic in filed})
    last_page, listings = {}, set()
    # A small catalogue has fewer listings than asked for: the draws are bounded.
    for _ in range(int(size * want["listings"] * 20)):
        if len(listings) >= size * want["listings"]:
            break
        roll = rng.random()
        params = {}
        if roll < 0.55:
            column = rng.choice(columns)
            if column not in last_page:
                total = public_subtree_listing(nodes[column])[0]
                last_page[column] = max(1, -(-total // PER_PAGE))
            page = min(rng.choice([1, 1, 1, 2, 2, 3, 5, 10, 50]), last_page[column])
            if page > 1:
                params["page"] = page
        else:
            column, year, genre, topic = rng.choice(filed)
            while rng.random() < 0.4 and parents.get(column) in nodes:
                column = parents[column]
            if column not in nodes:
                continue
            if roll < 0.75:
                params["year"] = year
            elif roll < 0.9 and genre:
                params["genre"] = genre
            elif topic:
                params["topic"] = topic_parents.get(topic) or topic
        listings.add(f"/catalog/{column}/" + (f"?{urlencode(params)}" if params else ""))

    searches = set()
    for _ in range(int(size * want["search"] * 20)):
        if len(searches) >= size * want["search"]:
            break
        params = {"q": rng.choice(queries)}
        roll = rng.random()
        if roll < 0.15:
            params["page"] = 2
        elif roll < 0.25:
            params["sort"] = "date"
        elif roll < 0.35:
            params["year"] = rng.choice(years)
        searches.add("/search/?" + urlencode(params))

    # The home page and the tree: few URLs, asked for often (the share of a real mix).
    pages = ["/", "/catalog/", "/ysqgk/", "/documents/guide/", "/documents/annual-reports/"]
    pages += [f"/catalog/{pk}/tree/" for pk in rng.sample(columns, min(len(columns), 400))]
    pages += ["/sitemap.xml", "/sitemap-catalog.xml"] + [
        f"/sitemap-documents.xml?p={p}" for p in range(1, 1 + max(1, len(ids) // 2000))
    ][:200]
    home = [rng.choice(pages) if rng.random() < 0.6 else "/" for _ in range(int(size * 0.15))]

    urls = documents + sorted(listings) + sorted(searches) + home
    rng.shuffle(urls)
    return urls


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--mix", choices=["distinct", "cycle"], default="cycle")
    parser.add_argument("--size", type=int, default=int(os.environ.get("LOAD_SIZE", 24_000)))
    args = parser.parse_args()
    rng = random.Random(1)
    urls = distinct_mix(rng, args.size) if args.mix == "distinct" else cycle_mix(rng)
    with open(args.path, "w", encoding="utf-8") as handle:
        handle.write("urls = {\n")
        for url in urls:
            handle.write(f'  "{url}",\n')
        handle.write("}\n")
    with open(args.path + ".txt", "w", encoding="utf-8") as handle:
        handle.write("\n".join(urls) + "\n")
    print(f"{len(urls)} URLs ({len(set(urls))} distinct, mix {args.mix}) written to {args.path}")


if __name__ == "__main__":
    main()
