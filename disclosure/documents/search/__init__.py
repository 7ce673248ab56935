"""Full-text search over public documents.

``analysis`` turns text into index terms for both sides (indexing and querying); a backend
(``backends``) answers queries. The database backend uses PostgreSQL's tsvector with a GIN
index, or plain LIKE matching on SQLite; a search-engine backend (OpenSearch, Elasticsearch)
can take its place behind the same interface by setting DISCLOSURE_SEARCH_BACKEND.
"""
