#!/usr/bin/env python3
"""HH meter data storage study for PostgreSQL 15 (layout A: row per value, layout B: row per day-run with arrays).

Reproducible: data is generated deterministically by gen.py.  Usage:

    python3 -m venv .venv && .venv/bin/pip install "psycopg[binary]"
    .venv/bin/python bench.py all            # gen + load + queries + incremental import + table
    .venv/bin/python bench.py all --sps 20   # scaled down
    .venv/bin/python bench.py report         # re-print the table from results.json
    .venv/bin/python bench.py drop           # drop database hh_study

Options: --variants a_real,b_real,...  --q1-runs 30  --q2-runs-a 3 --q2-runs-b 10  --keep-db
All timings are client-side wall clock (psycopg, includes result transfer + decoding).
"""
import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time

import psycopg

import gen

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("HH_DATA", os.path.join(HERE, "data"))
PLANS = os.environ.get("HH_PLANS", os.path.join(HERE, "plans"))
RESULTS = os.environ.get("HH_RESULTS", os.path.join(HERE, "results.json"))
DB = "hh_study"
DSN_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
DSN = f"host=127.0.0.1 port=5432 user=postgres dbname={DB}"
YEAR = 2023
SESSION_SETTINGS = ["SET work_mem = '64MB'", "SET jit = off", "SET TimeZone = 'UTC'"]

# variant -> (layout, schema file, data file, value kind)
VARIANTS = {
    "a_real":    ("A", "schema_a_real.sql",    "a",      "real"),
    "a_num":     ("A", "schema_a_num.sql",     "a",      "numeric"),
    "a_brin":    ("A", "schema_a_brin.sql",    "a",      "real"),
    "a_month":   ("A", "schema_a_month.sql",   "a",      "real"),
    "a_sprange": ("A", "schema_a_sprange.sql", "a",      "real"),
    "a_flag":    ("A", "schema_a_flag.sql",    "a_flag", "real"),
    "b_real":    ("B", "schema_b_real.sql",    "b",      "real"),
    "b_num":     ("B", "schema_b_num.sql",     "b",      "numeric"),
    "b_int":     ("B", "schema_b_int.sql",     "b_int",  "int"),
    "b_month":   ("B", "schema_b_month.sql",   "b",      "real"),
    "b_flag":    ("B", "schema_b_flag.sql",    "b_flag", "real"),
    "hh_day":    ("B", "schema_recommended.sql", "b_int", "int"),   # recommended DDL
    "hh_day_nocov": ("B", "schema_hh_day_nocov.sql", "b_int", "int"),  # v1 of it: no INCLUDE / periods
}
DEFAULT_ORDER = ["b_real", "b_num", "b_int", "b_month", "b_flag", "hh_day_nocov", "hh_day",
                 "a_real", "a_num", "a_brin", "a_month", "a_sprange", "a_flag"]


def sumexpr(kind, col):
    # exact for numeric / int (Wh, -> kWh at the end), float8 accumulation for real
    return {"real": f"sum({col}::float8)", "numeric": f"sum({col})",
            "int": f"(sum({col}) / 1000.0)"}[kind]


# ---------------------------------------------------------------- queries
# Q1: one supply point x one channel x one year at the best run, with status (17,520 rows)
Q1 = {
    # A: DISTINCT ON (planner picks bitmap PK scan + sort on this data)
    "A.distinct_fwd": """
        SELECT DISTINCT ON (interval_start) interval_start, value, status, run
        FROM {t}
        WHERE supply_point_id = %(sp)s::int AND channel = %(ch)s::smallint
          AND interval_start >= %(t0)s AND interval_start < %(t1)s
        ORDER BY interval_start, run DESC""",
    # A: DISTINCT ON written to match a backward PK scan, re-sorted ascending (planner did not use it)
    "A.distinct_bwd": """
        SELECT * FROM (
          SELECT DISTINCT ON (interval_start) interval_start, value, status, run
          FROM {t}
          WHERE supply_point_id = %(sp)s::int AND channel = %(ch)s::smallint
            AND interval_start >= %(t0)s AND interval_start < %(t1)s
          ORDER BY interval_start DESC, run DESC) s
        ORDER BY interval_start""",
    # A with is_best flag: index-only scan of the partial covering index
    "A.flag": """
        SELECT interval_start, value, status, run
        FROM {t}
        WHERE supply_point_id = %(sp)s::int AND channel = %(ch)s::smallint
          AND interval_start >= %(t0)s AND interval_start < %(t1)s AND is_best
        ORDER BY interval_start""",
    # B: best row per day, unnested to one row per half-hour (same 17,520-row result as A)
    "B.unnest": """
        SELECT b.day_start + (u.i - 1) * interval '30 minutes' AS interval_start,
               u.v AS value, substr(b.statuses, u.i::int, 1) AS status, b.run
        FROM (SELECT DISTINCT ON (settlement_date) settlement_date, run, vals, statuses,
                     settlement_date::timestamp AT TIME ZONE 'Europe/London' AS day_start
              FROM {t}
              WHERE supply_point_id = %(sp)s::int AND channel = %(ch)s::smallint
                AND settlement_date >= %(d0)s AND settlement_date < %(d1)s
              ORDER BY settlement_date, run DESC) b
        CROSS JOIN LATERAL unnest(b.vals) WITH ORDINALITY AS u(v, i)
        ORDER BY b.settlement_date, u.i""",
    # B: best row per day as arrays (365 rows; client unpacks)
    "B.arrays": """
        SELECT DISTINCT ON (settlement_date) settlement_date, run, vals, statuses
        FROM {t}
        WHERE supply_point_id = %(sp)s::int AND channel = %(ch)s::smallint
          AND settlement_date >= %(d0)s AND settlement_date < %(d1)s
        ORDER BY settlement_date, run DESC""",
    "B.flag_unnest": """
        SELECT b.day_start + (u.i - 1) * interval '30 minutes' AS interval_start,
               u.v AS value, substr(b.statuses, u.i::int, 1) AS status, b.run
        FROM (SELECT settlement_date, run, vals, statuses,
                     settlement_date::timestamp AT TIME ZONE 'Europe/London' AS day_start
              FROM {t}
              WHERE supply_point_id = %(sp)s::int AND channel = %(ch)s::smallint
                AND settlement_date >= %(d0)s AND settlement_date < %(d1)s AND is_best
              OFFSET 0) b
        CROSS JOIN LATERAL unnest(b.vals) WITH ORDINALITY AS u(v, i)
        ORDER BY b.settlement_date, u.i""",
}

# Q2: daily totals (local days) for N supply points x 1 year at the best run, channel 1
Q2 = {
    # A: per-half-hour best run via DISTINCT ON, then group by local day
    "A.distinct": """
        SELECT supply_point_id, (interval_start AT TIME ZONE 'Europe/London')::date AS day,
               {sum_v} AS total, count(*) AS n
        FROM (SELECT DISTINCT ON (supply_point_id, interval_start) supply_point_id, interval_start, value
              FROM {t}
              WHERE supply_point_id = ANY(%(sps)s::int[]) AND channel = %(ch)s::smallint
                AND interval_start >= %(t0)s AND interval_start < %(t1)s
              ORDER BY supply_point_id, interval_start, run DESC) b
        GROUP BY 1, 2 ORDER BY 1, 2""",
    # A: aggregate per (meter, day, run) first (hash agg, no big sort), then keep the best run per day.
    # Valid because a settlement run always delivers a complete settlement day for a meter.
    "A.dayrun": """
        SELECT DISTINCT ON (supply_point_id, day) supply_point_id, day, total, n
        FROM (SELECT supply_point_id, (interval_start AT TIME ZONE 'Europe/London')::date AS day, run,
                     {sum_v} AS total, count(*) AS n
              FROM {t}
              WHERE supply_point_id = ANY(%(sps)s::int[]) AND channel = %(ch)s::smallint
                AND interval_start >= %(t0)s AND interval_start < %(t1)s
              GROUP BY 1, 2, 3) x
        ORDER BY supply_point_id, day, run DESC""",
    "A.flag": """
        SELECT supply_point_id, (interval_start AT TIME ZONE 'Europe/London')::date AS day,
               {sum_v} AS total, count(*) AS n
        FROM {t}
        WHERE supply_point_id = ANY(%(sps)s::int[]) AND channel = %(ch)s::smallint
          AND interval_start >= %(t0)s AND interval_start < %(t1)s AND is_best
        GROUP BY 1, 2 ORDER BY 1, 2""",
    "B.distinct": """
        SELECT supply_point_id, settlement_date AS day,
               (SELECT {sum_u} FROM unnest(vals) u) AS total, cardinality(vals) AS n
        FROM (SELECT DISTINCT ON (supply_point_id, settlement_date) supply_point_id, settlement_date, vals
              FROM {t}
              WHERE supply_point_id = ANY(%(sps)s::int[]) AND channel = %(ch)s::smallint
                AND settlement_date >= %(d0)s AND settlement_date < %(d1)s
              ORDER BY supply_point_id, settlement_date, run DESC) b
        ORDER BY 1, 2""",
    # recommended: generated day_total/periods carried in the PK (INCLUDE) -> index-only scan
    "B.total": """
        SELECT DISTINCT ON (supply_point_id, settlement_date)
               supply_point_id, settlement_date, day_total / 1000.0 AS total_kwh, periods, run
        FROM {t}
        WHERE supply_point_id = ANY(%(sps)s::int[]) AND channel = %(ch)s::smallint
          AND settlement_date >= %(d0)s AND settlement_date < %(d1)s
        ORDER BY supply_point_id, settlement_date, run DESC""",
    # v1: generated day_total but no INCLUDE (reads the heap rows)
    "B.total_card": """
        SELECT DISTINCT ON (supply_point_id, settlement_date)
               supply_point_id, settlement_date AS day, day_total / 1000.0 AS total_kwh,
               cardinality(vals) AS periods, run
        FROM {t}
        WHERE supply_point_id = ANY(%(sps)s::int[]) AND channel = %(ch)s::smallint
          AND settlement_date >= %(d0)s AND settlement_date < %(d1)s
        ORDER BY supply_point_id, settlement_date, run DESC""",
    "B.flag": """
        SELECT supply_point_id, settlement_date AS day,
               (SELECT {sum_u} FROM unnest(vals) u) AS total, cardinality(vals) AS n
        FROM {t}
        WHERE supply_point_id = ANY(%(sps)s::int[]) AND channel = %(ch)s::smallint
          AND settlement_date >= %(d0)s AND settlement_date < %(d1)s AND is_best
        ORDER BY 1, 2""",
}

# Q3 (extra, shows where BRIN / time partitioning matter): ALL meters, one local day, channel 1,
# best run, daily total per meter -- no supply_point_id predicate.
Q3 = {
    "A.dayrun": """
        SELECT DISTINCT ON (supply_point_id) supply_point_id, total
        FROM (SELECT supply_point_id, run, sum(value::float8) AS total
              FROM {t}
              WHERE channel = 1 AND interval_start >= %(t0)s AND interval_start < %(t1)s
              GROUP BY 1, 2) x
        ORDER BY supply_point_id, run DESC""",
    "B.distinct": """
        SELECT DISTINCT ON (supply_point_id) supply_point_id,
               (SELECT {sum_u} FROM unnest(vals) u) AS total
        FROM {t}
        WHERE channel = 1 AND settlement_date = %(d0)s
        ORDER BY supply_point_id, run DESC""",
}


def q1_forms(v):
    layout = VARIANTS[v][0]
    if layout == "A":
        return ["A.distinct_fwd", "A.distinct_bwd"] + (["A.flag"] if v == "a_flag" else [])
    return (["B.unnest", "B.arrays"] + (["B.flag_unnest"] if v == "b_flag" else []))


def q2_forms(v):
    layout = VARIANTS[v][0]
    if layout == "A":
        return ["A.distinct", "A.dayrun"] + (["A.flag"] if v == "a_flag" else [])
    if v == "hh_day":
        return ["B.total", "B.distinct"]
    if v == "hh_day_nocov":
        return ["B.total_card", "B.distinct"]
    return ["B.distinct"] + (["B.flag"] if v == "b_flag" else [])


def copy_cols(v):
    if v.startswith("hh_day"):
        return "(supply_point_id, channel, run, settlement_date, vals, statuses)"
    return ""


def render(sql, v):
    kind = VARIANTS[v][3]
    return sql.format(t=v, sum_v=sumexpr(kind, "value"), sum_u=sumexpr(kind, "u"))


# ---------------------------------------------------------------- helpers
def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def connect(dsn=DSN, autocommit=False):
    c = psycopg.connect(dsn, autocommit=autocommit)
    with c.cursor() as cur:
        for s in SESSION_SETTINGS:
            cur.execute(s)
    c.commit() if not autocommit else None
    return c


def loadavg():
    return round(os.getloadavg()[0], 2)


def pct(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100
    f = int(k)
    c = min(f + 1, len(xs) - 1)
    return xs[f] + (xs[c] - xs[f]) * (k - f)


def year_bounds():
    t0 = dt.datetime(YEAR, 1, 1, tzinfo=gen.LON)
    t1 = dt.datetime(YEAR + 1, 1, 1, tzinfo=gen.LON)
    return t0, t1, dt.date(YEAR, 1, 1), dt.date(YEAR + 1, 1, 1)


def data_paths():
    return {k: os.path.join(DATA, f"{k}.tsv") for k in ("a", "a_flag", "b", "b_int", "b_flag")}


def rel_sizes(conn, t):
    """(heap+toast bytes, index bytes) summed over partitions."""
    with conn.cursor() as cur:
        cur.execute("""
            SELECT coalesce(sum(pg_table_size(r)), 0), coalesce(sum(pg_indexes_size(r)), 0)
            FROM (SELECT relid AS r FROM pg_partition_tree(%s::regclass)
                  UNION SELECT %s::regclass) x""", (t, t))
        h, i = cur.fetchone()
        cur.execute("""
            SELECT i.indexrelid::regclass::text, pg_relation_size(i.indexrelid)
            FROM (SELECT relid AS r FROM pg_partition_tree(%s::regclass) UNION SELECT %s::regclass) p
            JOIN pg_index i ON i.indrelid = p.r""", (t, t))
        per_index = {}
        for name, sz in cur.fetchall():
            # fold per-partition indexes into a generic name
            key = "pkey" if name.endswith("pkey") else name.split("_")[-1]
            per_index[key] = per_index.get(key, 0) + sz
    return int(h), int(i), per_index


# ---------------------------------------------------------------- phases
def phase_gen(args, res):
    os.makedirs(DATA, exist_ok=True)
    p = data_paths()
    meta_path = os.path.join(DATA, "meta.json")
    if os.path.exists(meta_path):
        meta = json.load(open(meta_path))
        if meta.get("sps") == args.sps and meta.get("year") == YEAR and all(os.path.exists(x) for x in p.values()):
            log(f"data present: {meta}")
            res["data"] = meta
            return meta
    log(f"generating {args.sps} supply points x {YEAR} ...")
    t = time.perf_counter()
    meta = gen.generate(args.sps, YEAR, p, log=log)
    meta.update(sps=args.sps, year=YEAR, gen_s=round(time.perf_counter() - t, 1),
                file_bytes={k: os.path.getsize(v) for k, v in p.items()})
    json.dump(meta, open(meta_path, "w"), indent=1)
    log(f"generated {meta}")
    res["data"] = meta
    return meta


def phase_createdb(args):
    with psycopg.connect(DSN_ADMIN, autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {DB}")
        c.execute(f"CREATE DATABASE {DB}")
    log(f"created database {DB}")


def phase_load(args, res, v):
    layout, schema, dfile, kind = VARIANTS[v]
    path = data_paths()[dfile]
    meta = res["data"]
    with connect() as c:
        c.execute(f"DROP TABLE IF EXISTS {v} CASCADE")
        c.execute(open(os.path.join(HERE, schema)).read())
        c.commit()
        la0 = loadavg()
        t = time.perf_counter()
        with c.cursor() as cur:
            with cur.copy(f"COPY {v} {copy_cols(v)} FROM STDIN") as cp:
                with open(path, "rb") as f:
                    while True:
                        chunk = f.read(1 << 20)
                        if not chunk:
                            break
                        cp.write(chunk)
        c.commit()
        load_s = time.perf_counter() - t
    with connect(autocommit=True) as c:
        t = time.perf_counter()
        c.execute(f"VACUUM (ANALYZE) {v}")
        vac_s = time.perf_counter() - t
        heap, idx, per_index = rel_sizes(c, v)
        rows = c.execute(f"SELECT count(*) FROM {v}").fetchone()[0]
    nvals = meta["values"]
    r = dict(layout=layout, kind=kind, rows=rows, values=nvals, load_s=round(load_s, 2),
             values_per_s=round(nvals / load_s), rows_per_s=round(rows / load_s),
             vacuum_analyze_s=round(vac_s, 2), heap_bytes=heap, index_bytes=idx, per_index=per_index,
             total_bytes=heap + idx, bytes_per_value=round((heap + idx) / nvals, 2),
             loadavg_before=la0, loadavg_after=loadavg())
    res["load"][v] = r
    log(f"load {v}: {rows:,} rows in {load_s:.1f}s = {nvals/load_s:,.0f} values/s; "
        f"size {(heap+idx)/2**20:.1f} MiB = {r['bytes_per_value']} B/value; vacuum {vac_s:.1f}s; load1 {la0}->{r['loadavg_after']}")


def explain(c, sql, params, name):
    os.makedirs(PLANS, exist_ok=True)
    with c.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        txt = "\n".join(r[0] for r in cur.fetchall())
    with open(os.path.join(PLANS, name + ".txt"), "w") as f:
        f.write(sql.strip() + "\n\n" + txt + "\n")
    return txt


def server_times(c, sql, param_list):
    """Server-side execution time (EXPLAIN ANALYZE, TIMING OFF) in ms: excludes transfer/decoding."""
    out = []
    with c.cursor() as cur:
        for p in param_list:
            cur.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + sql, p)
            out.append(float(cur.fetchone()[0][0]["Execution Time"]))
    return out


def timed_runs(c, sql, param_list, warmup):
    lat = []
    nrows = None
    out = None
    with c.cursor() as cur:
        for i, p in enumerate(param_list):
            t = time.perf_counter()
            cur.execute(sql, p, prepare=True)
            rows = cur.fetchall()
            el = time.perf_counter() - t
            if i >= warmup:
                lat.append(el * 1000)
            nrows = len(rows)
            out = rows
    return lat, nrows, out


def q1_runs(c, sql, param_list):
    """For each (meter, channel): 1st execution = 'first touch' (pages not in shared_buffers yet, but in
    the OS page cache), 2nd execution right after = 'hot'.  Client wall ms, prepared statement."""
    first, hot = [], []
    nrows = None
    with c.cursor() as cur:
        cur.execute(sql, param_list[0], prepare=True)      # prepare / warm catalog caches
        cur.fetchall()
        for p in param_list[1:]:
            for acc in (first, hot):
                t = time.perf_counter()
                cur.execute(sql, p, prepare=True)
                rows = cur.fetchall()
                acc.append((time.perf_counter() - t) * 1000)
                nrows = len(rows)
    return first, hot, nrows


def phase_query(args, res, v):
    t0, t1, d0, d1 = year_bounds()
    combos = [(sp, ch) for sp in range(1, args.sps + 1) for ch in gen.CHANNELS]
    random.Random(42).shuffle(combos)
    n = args.q1_runs + 1
    sps = list(range(1, args.sps + 1))
    with connect() as c:
        for k, form in enumerate(q1_forms(v)):
            # every query form gets its own, disjoint set of meter-channels so that cache state is comparable
            picks = [combos[(k * n + i) % len(combos)] for i in range(n)]
            sql = render(Q1[form], v)
            params = [dict(sp=sp, ch=ch, t0=t0, t1=t1, d0=d0, d1=d1) for sp, ch in picks]
            la0 = loadavg()
            first, hot, nrows = q1_runs(c, sql, params)
            explain(c, sql, params[1], f"q1_{v}_{form}")
            srv = server_times(c, sql, params[1:1 + args.q1_server_runs])
            r = dict(p50=round(statistics.median(hot), 2), p95=round(pct(hot, 95), 2),
                     min=round(min(hot), 2), max=round(max(hot), 2), n=len(hot), rows=nrows, loadavg=la0,
                     first_p50=round(statistics.median(first), 2), first_p95=round(pct(first, 95), 2),
                     server_p50=round(statistics.median(srv), 2), server_p95=round(pct(srv, 95), 2))
            res["q1"][f"{v}|{form}"] = r
            log(f"q1 {v} {form}: first-touch p50 {r['first_p50']} p95 {r['first_p95']} | hot p50 {r['p50']} "
                f"p95 {r['p95']} | server {r['server_p50']} ms ({nrows} rows, load1 {la0})")
            c.rollback()
        # correctness fingerprint of one fixed meter-year (sp 1, channel 1)
        p1 = dict(sp=1, ch=1, t0=t0, t1=t1, d0=d0, d1=d1)
        form = q1_forms(v)[0]
        rows = c.execute(render(Q1[form], v), p1).fetchall()
        res["check_q1"][v] = dict(rows=len(rows), sum=round(sum(float(r[1]) for r in rows), 1),
                                  runs=sorted({int(r[3]) for r in rows}),
                                  statuses="".join(sorted({str(r[2]) for r in rows})))
        for form in q2_forms(v):
            sql = render(Q2[form], v)
            runs = args.q2_runs_a if VARIANTS[v][0] == "A" else args.q2_runs_b
            params = [dict(sps=sps, ch=1, t0=t0, t1=t1, d0=d0, d1=d1)] * runs
            # the EXPLAIN ANALYZE run doubles as warm-up
            ex = explain(c, sql, params[0], f"q2_{v}_{form}")
            la0 = loadavg()
            lat, nrows, out = timed_runs(c, sql, params, warmup=0)
            r = dict(p50=round(statistics.median(lat), 1), min=round(min(lat), 1), max=round(max(lat), 1),
                     n=len(lat), rows=nrows, loadavg=la0,
                     explain_exec_ms=float(ex.strip().splitlines()[-1].split()[-2]),
                     checksum=round(sum(float(x[2]) for x in out), 1),
                     periods=sum(int(x[3]) for x in out))
            res["q2"][f"{v}|{form}"] = r
            log(f"q2 {v} {form}: median {r['p50']} ms (min {r['min']} max {r['max']}, {nrows} rows, "
                f"sum {r['checksum']}, periods {r['periods']}, load1 {la0})")
            c.rollback()


def phase_q3(args, res, v, label=None):
    t0 = dt.datetime(YEAR, 6, 15, tzinfo=gen.LON)
    t1 = dt.datetime(YEAR, 6, 16, tzinfo=gen.LON)
    form = "A.dayrun" if VARIANTS[v][0] == "A" else "B.distinct"
    sql = render(Q3[form], v)
    params = [dict(t0=t0, t1=t1, d0=dt.date(YEAR, 6, 15))] * 8
    with connect() as c:
        explain(c, sql, params[0], f"q3_{label or v}")
        lat, nrows, out = timed_runs(c, sql, params, warmup=1)
    r = dict(p50=round(statistics.median(lat), 2), min=round(min(lat), 2), n=len(lat), rows=nrows,
             checksum=round(sum(float(x[1]) for x in out), 1))
    res["q3"][label or v] = r
    log(f"q3 {label or v}: median {r['p50']} ms ({nrows} rows, sum {r['checksum']})")


def phase_brin_post(args, res):
    """On a_real: Q3 without BRIN, then build a BRIN on interval_start and rerun Q3."""
    phase_q3(args, res, "a_real", "a_real(no brin)")
    with connect(autocommit=True) as c:
        t = time.perf_counter()
        c.execute("CREATE INDEX a_real_ts_brin ON a_real USING brin (interval_start) WITH (pages_per_range = 32)")
        s = time.perf_counter() - t
        c.execute("ANALYZE a_real")
        sz = c.execute("SELECT pg_relation_size('a_real_ts_brin')").fetchone()[0]
    res["brin_post"] = dict(build_s=round(s, 2), bytes=sz)
    log(f"BRIN on a_real built in {s:.2f}s, {sz} bytes")
    phase_q3(args, res, "a_real", "a_real(+brin)")
    with connect(autocommit=True) as c:
        c.execute("DROP INDEX a_real_ts_brin")


INCR_SQL_FLAG = {
    "A": """
        UPDATE {t} t SET is_best = false
        FROM stage s
        WHERE t.supply_point_id = s.supply_point_id AND t.channel = s.channel
          AND t.interval_start = s.interval_start AND t.is_best AND t.run < s.run;
        INSERT INTO {t}
        SELECT s.supply_point_id, s.channel, s.run, s.interval_start, s.value, s.status,
               NOT EXISTS (SELECT 1 FROM {t} t
                           WHERE t.supply_point_id = s.supply_point_id AND t.channel = s.channel
                             AND t.interval_start = s.interval_start AND t.run > s.run)
        FROM stage s;""",
    "B": """
        UPDATE {t} t SET is_best = false
        FROM stage s
        WHERE t.supply_point_id = s.supply_point_id AND t.channel = s.channel
          AND t.settlement_date = s.settlement_date AND t.is_best AND t.run < s.run;
        INSERT INTO {t}
        SELECT s.supply_point_id, s.channel, s.run, s.settlement_date, s.vals, s.statuses,
               NOT EXISTS (SELECT 1 FROM {t} t
                           WHERE t.supply_point_id = s.supply_point_id AND t.channel = s.channel
                             AND t.settlement_date = s.settlement_date AND t.run > s.run)
        FROM stage s;""",
}


def phase_incr(args, res, variants):
    """Import one new run (R3, 30 days, all meters, 2 channels) into existing tables; rolled back."""
    batch = gen.incremental_batch(args.sps, YEAR)
    res["incr_batch"] = dict(values=batch["values"], b_rows=batch["b_rows"])
    for v in variants:
        layout = VARIANTS[v][0]
        flag = v.endswith("_flag")
        data = batch[("a" if layout == "A" else "b") + ("_flag" if flag else "")
                     + ("_int" if VARIANTS[v][3] == "int" else "")]
        times = []
        for rep in range(args.incr_reps):
            with connect() as c:
                t = time.perf_counter()
                with c.cursor() as cur:
                    if flag:
                        cur.execute(f"CREATE TEMP TABLE stage (LIKE {v}) ON COMMIT DROP")
                        with cur.copy("COPY stage FROM STDIN") as cp:
                            cp.write(data)
                        cur.execute("ANALYZE stage")
                        cur.execute(INCR_SQL_FLAG[layout].format(t=v))
                    else:
                        with cur.copy(f"COPY {v} {copy_cols(v)} FROM STDIN") as cp:
                            cp.write(data)
                el = time.perf_counter() - t
                c.rollback()
            with connect(autocommit=True) as c:
                c.execute(f"VACUUM {v}")
            times.append(el)
        med = statistics.median(times)
        res["incr"][v] = dict(median_s=round(med, 3), all_s=[round(x, 3) for x in times],
                              values_per_s=round(batch["values"] / med))
        log(f"incr {v}: median {med:.3f}s ({batch['values']/med:,.0f} values/s) reps {[round(x,2) for x in times]}")


# ---------------------------------------------------------------- report
def report(res):
    lines = []
    d = res.get("data", {})
    lines.append(f"Data: {d.get('sps')} supply points x {d.get('year')} x 2 channels, "
                 f"{d.get('values', 0):,} values, {d.get('b_rows', 0):,} day-rows; machine: {res.get('machine')}")
    base = res["load"].get("a_real")
    lines.append("")
    lines.append("| variant | rows | heap MiB | index MiB | total MiB | B/value | x a_real size | COPY s | values/s | x a_real speed |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for v, r in res["load"].items():
        rs = f"{r['total_bytes']/base['total_bytes']:.3f}" if base else ""
        rl = f"{r['values_per_s']/base['values_per_s']:.1f}" if base else ""
        lines.append(f"| {v} | {r['rows']:,} | {r['heap_bytes']/2**20:.1f} | {r['index_bytes']/2**20:.1f} | "
                     f"{r['total_bytes']/2**20:.1f} | {r['bytes_per_value']} | {rs} | {r['load_s']} | "
                     f"{r['values_per_s']:,} | {rl} |")
    b1 = res["q1"].get("a_real|A.distinct_fwd")
    lines.append("")
    lines.append("Q1 one meter x channel x year at best run (client wall ms incl. psycopg decoding, prepared; "
                 "first touch = not in shared_buffers, in OS cache; hot = repeated at once; server = EXPLAIN ANALYZE exec time, hot)")
    lines.append("| variant | query form | rows | first p50 | first p95 | hot p50 | hot p95 | hot min | hot max | x a_real fwd (first p50) | server p50 | server p95 |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for k, r in res["q1"].items():
        v, form = k.split("|")
        ratio = f"{r['first_p50']/b1['first_p50']:.2f}" if b1 else ""
        lines.append(f"| {v} | {form} | {r['rows']} | {r['first_p50']} | {r['first_p95']} | {r['p50']} | {r['p95']} | "
                     f"{r['min']} | {r['max']} | {ratio} | "
                     f"{r.get('server_p50')} | {r.get('server_p95')} |")
    b2 = res["q2"].get("a_real|A.distinct")
    lines.append("")
    lines.append("Q2 daily totals, all meters x 1 year, channel 1, best run (client wall ms)")
    lines.append("| variant | query form | rows | median ms | min | max | n | x a_real distinct | EXPLAIN ANALYZE ms | checksum kWh | periods |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for k, r in res["q2"].items():
        v, form = k.split("|")
        ratio = f"{r['p50']/b2['p50']:.3f}" if b2 else ""
        lines.append(f"| {v} | {form} | {r['rows']} | {r['p50']} | {r['min']} | {r['max']} | {r['n']} | {ratio} | "
                     f"{r.get('explain_exec_ms')} | {r['checksum']} | {r['periods']} |")
    if res.get("q3"):
        lines.append("")
        lines.append("Q3 (extra) all meters, one day, best run, no meter predicate (ms)")
        lines.append("| variant | rows | median ms | min |")
        lines.append("|---|---:|---:|---:|")
        for k, r in res["q3"].items():
            lines.append(f"| {k} | {r['rows']} | {r['p50']} | {r['min']} |")
    if res.get("brin_post"):
        lines.append(f"\nBRIN built after load on a_real: {res['brin_post']}")
    if res.get("incr"):
        bi = res.get("incr_batch", {})
        lines.append("")
        lines.append(f"Incremental import of one new run (R3, 30 days, all meters): {bi.get('values', 0):,} values / {bi.get('b_rows', 0):,} day-rows")
        lines.append("| variant | median s | values/s | reps s |")
        lines.append("|---|---:|---:|---|")
        for v, r in res["incr"].items():
            lines.append(f"| {v} | {r['median_s']} | {r['values_per_s']:,} | {r['all_s']} |")
    if res.get("check_q1"):
        lines.append("")
        lines.append("Q1 correctness fingerprint (sp 1, channel 1): " +
                     "; ".join(f"{v}: {c['rows']} rows sum {c['sum']} runs {c['runs']} st {c['statuses']}"
                               for v, c in res["check_q1"].items()))
    if res.get("wall_s"):
        lines.append(f"\nTotal wall time {res['wall_s']:.0f} s")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["all", "gen", "report", "drop"])
    ap.add_argument("--sps", type=int, default=100)
    ap.add_argument("--variants", default=",".join(DEFAULT_ORDER))
    ap.add_argument("--q1-runs", type=int, default=30)
    ap.add_argument("--q1-server-runs", type=int, default=10)
    ap.add_argument("--q2-runs-a", type=int, default=3)
    ap.add_argument("--q2-runs-b", type=int, default=10)
    ap.add_argument("--incr-reps", type=int, default=3)
    ap.add_argument("--keep-db", action="store_true")
    args = ap.parse_args()

    if args.cmd == "report":
        print(report(json.load(open(RESULTS))))
        return
    if args.cmd == "drop":
        with psycopg.connect(DSN_ADMIN, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {DB}")
        log("dropped")
        return
    res = dict(load={}, q1={}, q2={}, q3={}, incr={}, check_q1={},
               machine=dict(nproc=os.cpu_count(), loadavg_start=loadavg(), settings=SESSION_SETTINGS))
    t_all = time.perf_counter()
    phase_gen(args, res)
    if args.cmd == "gen":
        return
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    phase_createdb(args)
    with connect() as c:
        res["machine"]["server"] = c.execute("SELECT version()").fetchone()[0]
        res["machine"]["server_settings"] = dict(c.execute(
            "SELECT name, setting FROM pg_settings WHERE name IN "
            "('shared_buffers','work_mem','max_wal_size','autovacuum','max_parallel_workers_per_gather','jit','synchronous_commit')").fetchall())

    def save():
        res["wall_s"] = time.perf_counter() - t_all
        res["machine"]["loadavg_end"] = loadavg()
        json.dump(res, open(RESULTS, "w"), indent=1, default=str)

    for v in variants:
        phase_load(args, res, v)
        save()
    for v in variants:
        phase_query(args, res, v)
        save()
    if "a_real" in variants:
        phase_brin_post(args, res)
    for v in ("a_brin", "a_month", "b_real", "b_month", "hh_day_nocov", "hh_day"):
        if v in variants:
            phase_q3(args, res, v)
    save()
    phase_incr(args, res, [v for v in ("a_real", "a_month", "a_flag", "b_real", "b_int", "b_month", "b_flag",
                                       "hh_day_nocov", "hh_day")
                           if v in variants])
    save()
    if not args.keep_db:
        with psycopg.connect(DSN_ADMIN, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {DB}")
        log(f"dropped database {DB}")
    save()
    print()
    print(report(res))


if __name__ == "__main__":
    main()
