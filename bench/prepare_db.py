"""Create a fresh PostgreSQL database for the benchmarks (dropped first if it exists).

BENCH_DB_NAME names it (default portal_bench): runs that must not share a database each name
their own, and give bench/run the same name.
"""

import os

import psycopg2
from psycopg2 import sql

name = os.environ.get("BENCH_DB_NAME", "portal_bench")
connection = psycopg2.connect("postgres://postgres@127.0.0.1:5432/postgres")
connection.autocommit = True
with connection.cursor() as cursor:
    cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
connection.close()
