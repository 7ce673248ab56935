"""Writes the URL mix of the load test (home, documents, listings, search) for wrk's script."""

import random
import sys
from urllib.parse import quote_plus

from common import ROOT  # noqa: F401, I001 - sets up Django first

from catalog.models import CatalogNode
from disclosure.documents.models import Document
from disclosure.documents.models.counts import public_subtree_listing

WORDS = ["通知", "工作", "乡村振兴", "安全生产", "养老 服务", "铜府办发〔2024〕3号", "森林防火"]


def main(path):
    rng = random.Random(1)
    documents = list(Document.objects.public().values_list("pk", flat=True)[:2000])
    columns = list(CatalogNode.objects.visible())
    # The pages each column has: a page past the last is served but never cached.
    last_page = {
        column.pk: max(1, -(-public_subtree_listing(column)[0] // 20)) for column in columns
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
            urls.append("/search/?q=" + quote_plus(rng.choice(WORDS)))
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("urls = {\n")
        for url in urls:
            handle.write(f'  "{url}",\n')
        handle.write("}\n")
    print(f"{len(urls)} URLs written to {path}")


if __name__ == "__main__":
    main(sys.argv[1])
