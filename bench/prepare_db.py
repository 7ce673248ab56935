"""Create a fresh PostgreSQL database for the benchmarks (dropped first if it exists)."""

import psycopg2

connection = psycopg2.connect("postgres://postgres@127.0.0.1:5432/postgres")
connection.autocommit = True
with connection.cursor() as cursor:
    cursor.execute("DROP DATABASE IF EXISTS portal_bench")
    cursor.execute("CREATE DATABASE portal_bench")
connection.close()
