"""The SQLite side of bench/dnstable/run.mjs: import the rows, index them, time the same lookups.

better-sqlite3 crashes on this machine's Debian Node build, so the SQLite peer runs through
CPython's built-in sqlite3 module (the C SQLite library, one thin call per query).
usage: sqlite_side.py ROWS.tsv DB QUERIES.json  -> prints JSON {import_s, bytes, lat}
"""
import json
import os
import sqlite3
import sys
import time

rows_path, db_path, queries_path = sys.argv[1:4]
t0 = time.perf_counter()
con = sqlite3.connect(db_path)
con.execute("PRAGMA journal_mode=OFF")
con.execute("PRAGMA synchronous=OFF")
con.execute("CREATE TABLE rrset (owner TEXT, rev_owner TEXT, rrtype INTEGER, bailiwick TEXT, rdata BLOB, count INTEGER, time_first INTEGER, time_last INTEGER)")


def rows():
    with open(rows_path) as f:
        for line in f:
            o, r, t, b, rd, c, tf, tl = line.rstrip("\n").split("\t")
            yield (o, r, int(t), b, bytes.fromhex(rd), int(c), int(tf), int(tl))


con.executemany("INSERT INTO rrset VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows())
con.commit()
con.execute("CREATE INDEX by_owner ON rrset(owner)")
con.execute("CREATE INDEX by_rev ON rrset(rev_owner)")
con.execute("CREATE INDEX by_rdata ON rrset(rdata)")
con.commit()
import_s = time.perf_counter() - t0

queries = json.load(open(queries_path))
stmts = {
    "exact": ("SELECT * FROM rrset WHERE owner = ?", lambda q: (q,)),
    "left": ("SELECT * FROM rrset WHERE rev_owner >= ? AND rev_owner < ?", lambda q: (q, q + "\uffff")),
    "ip": ("SELECT * FROM rrset WHERE rdata = ? AND rrtype = 1", lambda q: (bytes.fromhex(q),)),
}
lat = {}
for kind, (sql, params) in stmts.items():
    qs = queries[kind]
    for q in qs[:200]:
        con.execute(sql, params(q)).fetchall()
    ts = []
    for q in qs:
        t = time.perf_counter()
        got = con.execute(sql, params(q)).fetchall()
        ts.append((time.perf_counter() - t) * 1000)
        if not got:
            raise SystemExit(f"{kind} {q}: nothing found")
    ts.sort()
    lat[kind] = {"p50": ts[len(ts) // 2], "p99": ts[int(len(ts) * 0.99)]}
print(json.dumps({"import_s": import_s, "bytes": os.path.getsize(db_path), "lat": lat}))
