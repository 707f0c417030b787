"""Deterministic generator of UK half-hourly (HH) settlement data for the storage study.

Model (stylised, documented in RESULTS.md):
  * supply points 1..N, local calendar year YEAR in Europe/London (46/48/50 periods on DST days)
  * channels generated: 1 = active import kWh, 3 = reactive import kVArh
    (channel codes: 1 AI, 2 AE, 3 RI, 4 RE)
  * runs, smallint in quality order: 1 II, 2 SF, 3 R1, 4 R2, 5 R3, 6 RF, 7 DF
  * every day has II and SF; days at least 120 days old (relative to TODAY) have R1,
    at least 240 days old also R2; ~0.3 % of meter-days older than 90 days get a DF
    (so the best run differs between meters on the same day).  Average ~3.1 runs.
  * data is emitted in ARRIVAL order (arrival = settlement date + lag(run)), i.e. the
    physical order a real daily import produces, not clustered by meter.
  * values are integers in Wh (VArh); text files carry kWh with 3 decimals.
  * status: A actual, E estimated, M missing (value 0); II has many E, later runs mostly A.
"""
import datetime as dt
import random
from zoneinfo import ZoneInfo

LON = ZoneInfo("Europe/London")
UTC = dt.timezone.utc
RUN_CODES = {1: "II", 2: "SF", 3: "R1", 4: "R2", 5: "R3", 6: "RF", 7: "DF"}
LAG = {1: 5, 2: 16, 3: 120, 4: 240}   # days after the settlement date the run arrives
DF_LAG, DF_MIN_AGE, DF_PROB = 90, 90, 0.003
CHANNELS = (1, 3)


def local_days(year):
    """[(date, n_periods, [utc iso strings], utc_start_datetime)] for each local day of year."""
    out = []
    d = dt.date(year, 1, 1)
    while d.year == year:
        nxt = d + dt.timedelta(days=1)
        s = dt.datetime(d.year, d.month, d.day, tzinfo=LON).astimezone(UTC)
        e = dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=LON).astimezone(UTC)
        n = int((e - s).total_seconds() // 1800)
        ts = [(s + dt.timedelta(minutes=30 * i)).strftime("%Y-%m-%d %H:%M:%S+00") for i in range(n)]
        out.append((d, n, ts, s))
        d = nxt
    return out


def today_for(year):
    return dt.date(year + 1, 1, 20)


def has_df(sp, d, today):
    if (today - d).days < DF_MIN_AGE:
        return False
    return random.Random(sp * 1_000_003 + d.toordinal() * 17 + 99).random() < DF_PROB


def regular_runs(d, today):
    age = (today - d).days
    return [r for r in (1, 2, 3, 4) if age >= LAG[r]]


def runs_for(sp, d, today):
    rr = regular_runs(d, today)
    if has_df(sp, d, today):
        rr = rr + [7]
    return rr


def base_wh(sp, ch, d, n):
    r = random.Random((sp * 1_000_003 + ch * 7919) * 1_000_000 + d.toordinal())
    peak = 30 + (sp * 37) % 470            # kWh per HH at peak
    weekday = d.weekday() < 5
    out = []
    for i in range(n):
        h = i * 0.5
        biz = 1.0 if (weekday and 7 <= h < 19) else 0.35
        v = peak * biz * (0.85 + 0.3 * r.random())
        if ch in (3, 4):
            v *= 0.3 + 0.1 * r.random()
        out.append(int(v * 1000))
    return out


_STATUS_P = {1: (0.25, 0.01), 2: (0.03, 0.002), 3: (0.005, 0.0), 4: (0.002, 0.0), 7: (0.0, 0.0)}


def run_values(sp, ch, d, n, run):
    """([Wh ints], [status chars]) for one supply point / channel / settlement day / run."""
    base = base_wh(sp, ch, d, n)
    r = random.Random(((sp * 1_000_003 + ch * 7919) * 1_000_000 + d.toordinal()) * 10 + run)
    pe, pm = _STATUS_P[run]
    vals, sts = [], []
    for w in base:
        x = r.random()
        if x < pm:
            vals.append(0); sts.append("M")
        elif x < pm + pe:
            vals.append(int(w * (0.9 + 0.2 * r.random()))); sts.append("E")
        else:
            # later runs carry small revisions (e.g. corrected meter reads)
            if run >= 3 and r.random() < 0.02:
                w = int(w * (0.97 + 0.06 * r.random()))
            vals.append(w); sts.append("A")
    return vals, sts


def kwh(w):
    return f"{w // 1000}.{w % 1000:03d}"


def batches(n_sps, year):
    """Yield (arrival, run, day_index, [sps]) in arrival order."""
    today = today_for(year)
    days = local_days(year)
    bl = []
    for di, (d, n, ts, s) in enumerate(days):
        for run in regular_runs(d, today):
            bl.append((d + dt.timedelta(days=LAG[run]), run, di, list(range(1, n_sps + 1))))
        dfs = [sp for sp in range(1, n_sps + 1) if has_df(sp, d, today)]
        if dfs:
            bl.append((d + dt.timedelta(days=DF_LAG), 7, di, dfs))
    bl.sort(key=lambda b: (b[0], b[1], b[2]))
    return days, today, bl


def generate(n_sps, year, paths, log=print):
    """Write the A (row per value) and B (row per day) COPY text files.

    paths: dict with keys a, a_flag, b, b_int, b_flag -> file paths.
    Returns counts.
    """
    days, today, bl = batches(n_sps, year)
    fa = open(paths["a"], "w")
    faf = open(paths["a_flag"], "w")
    fb = open(paths["b"], "w")
    fbi = open(paths["b_int"], "w")
    fbf = open(paths["b_flag"], "w")
    n_vals = n_rows_b = 0
    for bi, (arrival, run, di, sps) in enumerate(bl):
        d, n, ts, s = days[di]
        diso = d.isoformat()
        for sp in sps:
            best = max(runs_for(sp, d, today))
            flag = "t" if run == best else "f"
            for ch in CHANNELS:
                vals, sts = run_values(sp, ch, d, n, run)
                ks = [kwh(w) for w in vals]
                pre = f"{sp}\t{ch}\t{run}\t"
                lines = [f"{pre}{ts[i]}\t{ks[i]}\t{sts[i]}" for i in range(n)]
                fa.write("\n".join(lines)); fa.write("\n")
                faf.write(f"\t{flag}\n".join(lines)); faf.write(f"\t{flag}\n")
                stat = "".join(sts)
                fb.write(f"{pre}{diso}\t{{{','.join(ks)}}}\t{stat}\n")
                fbi.write(f"{pre}{diso}\t{{{','.join(map(str, vals))}}}\t{stat}\n")
                fbf.write(f"{pre}{diso}\t{{{','.join(ks)}}}\t{stat}\t{flag}\n")
                n_vals += n
                n_rows_b += 1
        if bi % 200 == 0:
            log(f"  gen batch {bi}/{len(bl)} ({n_vals:,} values)")
    for f in (fa, faf, fb, fbi, fbf):
        f.close()
    return {"values": n_vals, "b_rows": n_rows_b, "batches": len(bl)}


def incremental_batch(n_sps, year, run=5, n_days=30):
    """An extra run (default R3) for the first n_days of the year for all meters: text for A, A_flag, B, B_flag."""
    days = local_days(year)
    a, af, b, bf, bi = [], [], [], [], []
    for d, n, ts, s in days[:n_days]:
        diso = d.isoformat()
        for sp in range(1, n_sps + 1):
            for ch in CHANNELS:
                vals, sts = run_values(sp, ch, d, n, 4)   # same shape as R2 with new run id
                ks = [kwh(w) for w in vals]
                pre = f"{sp}\t{ch}\t{run}\t"
                for i in range(n):
                    a.append(f"{pre}{ts[i]}\t{ks[i]}\t{sts[i]}\n")
                    af.append(f"{pre}{ts[i]}\t{ks[i]}\t{sts[i]}\tt\n")
                stat = "".join(sts)
                b.append(f"{pre}{diso}\t{{{','.join(ks)}}}\t{stat}\n")
                bf.append(f"{pre}{diso}\t{{{','.join(ks)}}}\t{stat}\tt\n")
                bi.append(f"{pre}{diso}\t{{{','.join(map(str, vals))}}}\t{stat}\n")
    return {"a": "".join(a), "a_flag": "".join(af), "b": "".join(b), "b_flag": "".join(bf), "b_int": "".join(bi),
            "values": len(a), "b_rows": len(b)}
