"""Reference oracle for chokepoint's trade monitor (`trends`, `partners`, `anomalies`).

Independent re-implementation, in pandas/plain Python, of the rules documented in
README.md ("The trade monitor"), the commands' --help and the module docs of
crates/chokepoint-store/src/indicators/. It reads tidy CSV files (and, optionally, the
bundled rows dumped with `chokepoint sql ... --format json`) and computes what the
commands should print with `--format json`.

Usage as a library:
    lines = load_ingests([["a.csv"], ["b.csv"]])        # one list per `ingest` call
    obs = observations(lines, reporter, flow, product)  # source rules applied
    trends(obs, partner=None, freq="M", frm=None, to=None)
    partners(obs, period="2025-03", measure="quantity")
    anomalies(obs, partner=None, threshold=30.0, all_rows=True)

Usage from the command line (prints JSON):
    oracle.py trends   --reporter R --flow F --product P [--partner X] [--freq A] FILE...
    oracle.py partners --reporter R --flow F --product P --period 2025-03 FILE...
    oracle.py anomalies --reporter R --flow F --product P [--threshold 30] FILE...
Each FILE is one ingest; join files of one ingest with commas (a.csv,b.csv).

Month index: year * 12 + (month - 1).  A period is (start index, number of months, type)
with type one of month / jan_feb / months / ytd / year.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import sys
from dataclasses import dataclass
from typing import Optional

import pandas as pd

SERIES_TYPES = {"month", "jan_feb", "months"}  # steps of the monthly series
CUMULATIVE_TYPES = {"ytd", "year"}  # only used to fill spans (YTD, year-earlier totals)
BLOCS = {"EUU"}  # overlap their members: never summed or ranked
RESIDUALS = {"ROW", "OTH"}  # not one country: in the total, never ranked
WORLD = "WLD"


# ---------------------------------------------------------------------------------------
# Periods


def month_index(text: str) -> int:
    y, m = text.split("-")
    return int(y) * 12 + int(m) - 1


def month_text(idx: int) -> str:
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


def parse_period(text: str, period_type: str = "") -> tuple[int, int, str]:
    """(start, months, type) of a tidy `period` cell and optional `period_type`."""
    text = text.strip()
    if ".." in text:
        a, b = (month_index(x) for x in text.split(".."))
        n = b - a + 1
        if period_type == "ytd":
            return a, n, "ytd"
        if n == 2 and a % 12 == 0:
            return a, n, "jan_feb"
        return a, n, "months"
    if len(text) == 4:
        return int(text) * 12, 12, "year"
    return month_index(text), 1, "month"


def period_text(start: int, n: int, ptype: str) -> str:
    if ptype == "year":
        return f"{start // 12:04d}"
    if n == 1:
        return month_text(start)
    return f"{month_text(start)}..{month_text(start + n - 1)}"


# ---------------------------------------------------------------------------------------
# Input: tidy CSV lines, stamped with their source and ingest order


def _num(cell: Optional[str]) -> Optional[float]:
    if cell is None or cell.strip() == "":
        return None
    return float(cell)


def read_tidy(path: str, seq: int, file_order: int = 0) -> list[dict]:
    """The lines of one tidy file as dicts (source `tidy`, rank 0)."""
    out = []
    with open(path, newline="") as f:
        for lineno, row in enumerate(csv.DictReader(f), start=2):
            start, n, ptype = parse_period(row["period"], (row.get("period_type") or "").strip())
            hs = (row.get("hs_code") or "").strip() or None
            out.append(
                dict(
                    source="tidy",
                    rank=0,
                    seq=seq,
                    file_order=file_order,
                    line=lineno,
                    reporter=row["reporter_iso3"].strip(),
                    flow=row["flow"].strip(),
                    start=start,
                    n=n,
                    ptype=ptype,
                    partner=row["partner_iso3"].strip(),
                    hs=hs,
                    product=(row.get("product") or "").strip() or None,
                    q=_num(row.get("quantity_t")),
                    v=_num(row.get("value_usd")),
                    derived=False,
                    ryoy=None,
                )
            )
    return out


def load_ingests(ingests: list[list[str]]) -> list[dict]:
    """Lines of several `ingest` calls, in order (a later call wins repeats). A file whose
    content was already ingested is skipped (idempotent ingest)."""
    lines, seen = [], set()
    for seq, files in enumerate(ingests, start=1):
        for order, path in enumerate(files):
            content = open(path, "rb").read()
            if content in seen:
                continue
            seen.add(content)
            lines.extend(read_tidy(path, seq, order))
    return lines


def bundled_lines(sql_json_rows: list[dict]) -> list[dict]:
    """Rows of `SELECT * FROM trade` (JSON) as oracle lines (for the bundled data)."""
    out = []
    for r in sql_json_rows:
        start = month_index(r["period_start"])
        end = month_index(r["period_end"])
        out.append(
            dict(
                source=r["source"],
                rank=r["source_rank"],
                seq=0 if r["source_rank"] else 10**6,
                file_order=0,
                line=0,
                reporter=r["reporter_iso3"],
                flow=r["flow"],
                start=start,
                n=end - start + 1,
                ptype=r["period_type"],
                partner=r["partner_iso3"],
                hs=r["hs_code"],
                product=r["product"],
                q=r["quantity_t"],
                v=r["value_usd"],
                derived=bool(r["is_derived"]),
                ryoy=r["reported_yoy_pct"],
            )
        )
    return out


# ---------------------------------------------------------------------------------------
# Source rules: one observation per (period, partner)


def _matches(line: dict, product: str) -> bool:
    if product.isdigit():  # an HS code reaches HS lines only, and their sub-headings
        return line["hs"] is not None and line["hs"].startswith(product)
    return line["product"] == product  # an aggregate name (bundled China-customs rows)


def _psum(values):
    vals = [x for x in values if x is not None]
    return sum(vals) if vals else None


def observations(lines: list[dict], reporter: str, flow: str, product: str) -> pd.DataFrame:
    """Rules: repeats count once (latest ingest, later file wins); an aggregate row replaces
    the source's HS lines, an HS line whose parent code is present is dropped; a source's
    remaining lines are summed; across sources, user data (rank 0) before bundled (rank 1),
    then the latest ingest — never a sum."""
    df = pd.DataFrame([l for l in lines if l["reporter"] == reporter and l["flow"] == flow])
    cols = ["start", "n", "ptype", "partner", "q", "v", "source", "derived", "ryoy"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    df = df[df.apply(lambda l: _matches(l, product), axis=1)]
    if df.empty:
        return pd.DataFrame(columns=cols)
    df = df.assign(hs_key=df["hs"].fillna("").astype(str) + "|" + df["product"].fillna("").astype(str))
    # 1. repeats: the latest ingest, then the later file, then the later line
    df = df.sort_values(["seq", "file_order", "line"])
    df = df.drop_duplicates(["source", "start", "n", "ptype", "partner", "hs_key"], keep="last")
    rows = []
    for (source, start, n, ptype, partner), g in df.groupby(["source", "start", "n", "ptype", "partner"]):
        # 2. nesting
        agg = g[g["hs"].isna()]
        if not agg.empty:
            g = agg
        else:
            codes = set(g["hs"])
            g = g[[not any(c != h and h.startswith(c) for c in codes) for h in g["hs"]]]
        # 3. a source's lines are summed
        rows.append(
            dict(
                source=source,
                rank=g["rank"].min(),
                seq=g["seq"].max(),
                start=start,
                n=n,
                ptype=ptype,
                partner=partner,
                q=_psum(g["q"]),
                v=_psum(g["v"]),
                derived=bool(g["derived"].any()),
                ryoy=g["ryoy"].iloc[0] if len(g) == 1 else None,
            )
        )
    s = pd.DataFrame(rows)
    # 3. precedence across sources
    s = s.sort_values(["rank", "seq"], ascending=[True, False])
    s = s.drop_duplicates(["start", "n", "ptype", "partner"], keep="first")
    return s[cols]


# ---------------------------------------------------------------------------------------
# Totals per period (the world total, or one partner)


@dataclass
class Fig:
    start: int
    n: int
    ptype: str
    q: Optional[float]
    v: Optional[float]
    source: str
    derived: bool
    ryoy: Optional[float]


def _total(g: pd.DataFrame, partner: Optional[str]) -> Optional[Fig]:
    first = g.iloc[0]
    mk = lambda rows, q, v, src, d, ry: Fig(int(first.start), int(first.n), first.ptype, q, v, src, d, ry)
    if partner is not None:
        one = g[g.partner == partner]
        if one.empty:
            return None
        r = one.iloc[0]
        return mk(one, _nn(r.q), _nn(r.v), r.source, bool(r.derived), _nn(r.ryoy))
    w = g[g.partner == WORLD]
    if not w.empty:
        r = w.iloc[0]
        return mk(w, _nn(r.q), _nn(r.v), r.source, bool(r.derived), _nn(r.ryoy))
    parts = g[~g.partner.isin(BLOCS | {WORLD})]
    if parts.empty:
        return None
    return mk(
        parts,
        _partner_sum([_nn(x) for x in parts.q]),
        _partner_sum([_nn(x) for x in parts.v]),
        "+".join(sorted(set(parts.source))),
        bool(parts.derived.any()),
        _nn(parts.ryoy.iloc[0]) if len(parts) == 1 else None,
    )


# How a sum over partners treats a partner row without the measure (a value-only row when
# summing tonnes). "unknown" (the spec as read by this oracle, and what `partners` does:
# "a partner without the measure has an unknown amount, not zero"): the sum is unknown.
# "zero": the sum of the known amounts (what the binary does at the time of writing).
VALUE_ONLY_PARTNER = "unknown"


def _partner_sum(values):
    if VALUE_ONLY_PARTNER == "unknown" and any(v is None for v in values):
        return None
    return _psum(values)


def _nn(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


class Figures:
    """The monthly series (months, Jan–Feb, combined months) and the cumulative figures
    (YTD rows; a year row wins over a Jan–Dec YTD of the same span)."""

    def __init__(self, obs: pd.DataFrame, partner: Optional[str]):
        self.monthly: dict[tuple[int, int], Fig] = {}
        self.cumulative: dict[tuple[int, int], Fig] = {}
        for ptypes, target in ((SERIES_TYPES, self.monthly), ({"ytd"}, self.cumulative), ({"year"}, self.cumulative)):
            sub = obs[obs.ptype.isin(ptypes)]
            for (start, n), g in sub.groupby(["start", "n"]):
                f = _total(g, partner)
                if f is not None:
                    target[(int(start), int(n))] = f

    def span(self, first: int, last: int):
        """Total of months first..last from figures that exactly tile them. Preference:
        fewest derived figures, then fewest fallbacks (cumulative figures, and combined
        periods whose months are all there singly), then fewest pieces. Returns
        (tonnes, derived, ambiguous) or None."""
        if first > last:
            return None
        pieces = []
        for (s, n), f in self.monthly.items():
            if first <= s and s + n - 1 <= last and f.q is not None:
                singly = n > 1 and all((m, 1) in self.monthly for m in range(s, s + n))
                pieces.append((s, n, f.q, f.derived, singly))
        for (s, n), f in self.cumulative.items():
            if first <= s and s + n - 1 <= last and f.q is not None:
                pieces.append((s, n, f.q, f.derived, True))
        # all exact tilings, by dynamic programming over the start month
        best: dict[int, list] = {last + 1: [((0, 0, 0), 0.0, False)]}
        for m in range(last, first - 1, -1):
            options = []
            for s, n, q, d, fb in pieces:
                if s == m and (s + n) in best:
                    for key, tot, der in best[s + n]:
                        options.append(((key[0] + d, key[1] + fb, key[2] + 1), tot + q, der or d))
            if options:
                top = min(o[0] for o in options)
                best[m] = [o for o in options if o[0] == top]
        if first not in best:
            return None
        cands = best[first]
        totals = {round(c[1], 6) for c in cands}
        return cands[0][1], cands[0][2], len(totals) > 1


def pct(now, before):
    if now is None or before is None or not before > 0:
        return None
    return (now / before - 1.0) * 100.0


# ---------------------------------------------------------------------------------------
# trends


def trends(obs, partner=None, freq="M", frm=None, to=None) -> list[dict]:
    fig = Figures(obs, partner)
    lo = month_index(frm) if frm else None
    hi = month_index(to) if to else None
    rows = []
    if freq == "M":
        steps = [fig.monthly[k] for k in sorted(fig.monthly)]
    else:
        steps = _annual_steps(fig)
    for s in steps:
        a, b = s.start, s.start + s.n - 1
        if (lo is not None and b < lo) or (hi is not None and a > hi):
            continue
        row = dict(
            period=period_text(s.start, s.n, "year" if freq == "A" else s.ptype),
            quantity_t=s.q,
            value_usd=s.v,
            mom_pct=None,
            yoy_pct=None,
            ytd_t=None,
            ytd_yoy_pct=None,
            source=s.source,
            is_derived=s.derived,
            _ambiguous=[],
        )
        row.update(reported_yoy_pct=s.ryoy, reported_ytd_yoy_pct=None, mom_base_is_derived=False,
                   yoy_base_is_derived=False, ytd_includes_derived=False, ytd_yoy_base_is_derived=False)
        if freq == "M":
            prev = fig.monthly.get((a - 1, 1)) if s.n == 1 else None
            row["mom_pct"] = pct(s.q, prev.q) if prev else None
            row["mom_base_is_derived"] = row["mom_pct"] is not None and prev.derived
            base = fig.span(a - 12, b - 12)
            row["yoy_pct"] = pct(s.q, base[0] if base else None)
            row["yoy_base_is_derived"] = row["yoy_pct"] is not None and base[1]
            key = ((b // 12) * 12, b % 12 + 1)  # a figure spanning exactly January..b
            rep = fig.cumulative.get(key)
            rep = rep.ryoy if rep and rep.ryoy is not None else None
            if rep is None and key in fig.monthly:
                rep = fig.monthly[key].ryoy
            row["reported_ytd_yoy_pct"] = rep
            if a // 12 == b // 12:  # a period across a year end has no YTD
                this = fig.span((b // 12) * 12, b)
                last = fig.span((b // 12) * 12 - 12, b - 12)
                row["ytd_t"] = this[0] if this else None
                row["ytd_includes_derived"] = bool(this and this[1])
                row["ytd_yoy_pct"] = pct(row["ytd_t"], last[0] if last else None)
                row["ytd_yoy_base_is_derived"] = row["ytd_yoy_pct"] is not None and last[1]
                if (this and this[2]) or (last and last[2]):
                    row["_ambiguous"] += ["ytd_t", "ytd_yoy_pct"]
            if base and base[2]:
                row["_ambiguous"].append("yoy_pct")
        else:
            prev = next((p for p in steps if p.start == s.start - 12), None)
            row["yoy_pct"] = pct(s.q, prev.q if prev else None)
            row["yoy_base_is_derived"] = row["yoy_pct"] is not None and prev.derived
        rows.append(row)
    return rows


def _annual_steps(fig: Figures) -> list[Fig]:
    years = {f.start // 12: f for f in fig.cumulative.values() if f.ptype == "year"}
    cands = sorted({f.start // 12 for f in list(fig.monthly.values()) + list(fig.cumulative.values())})
    for y in cands:
        if y in years:
            continue
        t = fig.span(y * 12, y * 12 + 11)
        if t is not None:
            srcs = sorted(
                {f.source for (s, _), f in list(fig.monthly.items()) + list(fig.cumulative.items()) if y * 12 <= s < y * 12 + 12}
            )
            years[y] = Fig(y * 12, 12, "year", t[0], None, "+".join(srcs), t[1], None)
    return [years[y] for y in sorted(years)]


# ---------------------------------------------------------------------------------------
# partners


def partners(obs, period: str, measure="quantity") -> dict:
    start, n, ptype = parse_period(period)
    key = "q" if measure == "quantity" else "v"
    inp = obs[(obs.start == start) & (obs.n == n)]
    if ptype == "year":
        inp = inp[inp.ptype == "year"]
    else:
        inp = inp[inp.ptype != "year"]
        # one figure per partner: a YTD row and a combined period of the same months
        # describe the same tonnes; the series figure comes first, as in `trends`
        inp = inp.assign(_cum=inp.ptype.isin(CUMULATIVE_TYPES)).sort_values("_cum")
        inp = inp.drop_duplicates("partner", keep="first")
    world = None
    w = inp[inp.partner == WORLD]
    if not w.empty and _nn(w.iloc[0][key]) is not None and _nn(w.iloc[0][key]) > 0:
        world = _nn(w.iloc[0][key])
    ranked = inp[~inp.partner.isin(BLOCS | RESIDUALS | {WORLD})]
    residual = sum(_nn(getattr(r, key)) or 0.0 for r in inp[inp.partner.isin(RESIDUALS)].itertuples())
    prow = [
        dict(partner_iso3=r.partner, quantity_t=_nn(r.q), value_usd=_nn(r.v), amount=_nn(getattr(r, key)), source=r.source)
        for r in ranked.itertuples()
    ]
    prow.sort(key=lambda r: (r["amount"] is None, -(r["amount"] or 0.0), r["partner_iso3"]))
    listed = sum(r["amount"] or 0.0 for r in prow)
    if world is not None and listed + residual > world:
        total, basis = listed + residual, "sum of partners"
    elif world is not None:
        total, basis = world, "world row"
    elif listed + residual > 0:
        total, basis = listed + residual, "sum of partners"
    else:
        total, basis = None, "none"
    for r in prow:
        r["share_pct"] = r["amount"] / total * 100 if (total and r["amount"] is not None) else None
    shares = sorted([r["share_pct"] / 100 for r in prow if r["share_pct"] is not None and r["share_pct"] > 0], reverse=True)
    cover = min(sum(shares), 1.0)
    has = len([r for r in prow if r["share_pct"] is not None]) > 0
    hhi = sum((100 * s) ** 2 for s in shares) if has else None
    partial = has and cover < 0.995
    aggs = [
        dict(partner_iso3=r.partner, quantity_t=_nn(r.q), value_usd=_nn(r.v),
             # of the same total as the partners' shares; a bloc only with a World row (a
             # residual group is part of any total)
             share_pct=(_nn(getattr(r, key)) / total * 100
                        if (world or r.partner in RESIDUALS) and total and _nn(getattr(r, key)) is not None
                        else None))
        for r in inp[inp.partner.isin(BLOCS | RESIDUALS)].itertuples()
    ]
    return dict(
        period=period,
        measure=measure,
        total=total,
        total_basis=basis,
        # A sum of the partners with the measure covers all of itself: with a partner's
        # amount unknown, coverage cannot be measured.
        coverage_pct=(None if basis == "sum of partners" and any(r["amount"] is None for r in prow)
                      else (listed / total * 100) if total else None),
        hhi=hhi,
        top1_share_pct=(100 * shares[0] if shares else 0.0) if has else None,
        top3_share_pct=(100 * sum(shares[:3])) if has and len(shares) >= 3 else None,
        partners=[{k: r[k] for k in ("partner_iso3", "quantity_t", "value_usd", "share_pct", "source")} for r in prow],
        partners_listed=len(shares),
        hhi_is_lower_bound=partial,
        hhi_upper_bound=(hhi + (100 * max(0.0, 1 - cover)) ** 2) if partial else None,
        top1_is_lower_bound=bool(partial and 1 - cover > (shares[0] if shares else 0.0)),
        aggregates=aggs,
    )


# ---------------------------------------------------------------------------------------
# anomalies


def anomalies(obs, partner=None, threshold=30.0, all_rows=True) -> list[dict]:
    series = [r for r in trends(obs, partner) if ".." not in r["period"] and r["quantity_t"] is not None]
    months = [(month_index(r["period"]), r["quantity_t"], r["source"]) for r in series]
    out = []
    for i, (m, t, src) in enumerate(months):
        earlier = months[:i]
        same = [e[1] for y in (1, 2, 3) for e in earlier if e[0] == m - 12 * y]
        seasonal = sum(same) / len(same) if same else None
        recent = [e[1] for e in reversed(earlier) if m - e[0] <= 12][:6]
        trailing = float(pd.Series(recent).median()) if len(recent) >= 3 else None
        dep = lambda b: (t / b - 1) * 100 if b is not None and b > 0 else None
        sd, td = dep(seasonal), dep(trailing)
        deps = [d for d in (sd, td) if d is not None]
        flagged = bool(deps) and (all(d < -threshold for d in deps) or all(d > threshold for d in deps))
        smallest = min(deps, key=abs) if deps else None
        flag = ("drop" if smallest < 0 else "surge") if flagged else ""
        if flagged or all_rows:
            out.append(dict(period=month_text(m), quantity_t=t, seasonal_baseline_t=seasonal,
                            seasonal_departure_pct=sd, trailing_baseline_t=trailing,
                            trailing_departure_pct=td, departure_pct=smallest, flag=flag, source=src))
    return out


# ---------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["trends", "partners", "anomalies"])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--reporter", required=True)
    ap.add_argument("--flow", required=True)
    ap.add_argument("--product", required=True)
    ap.add_argument("--partner")
    ap.add_argument("--freq", default="M")
    ap.add_argument("--from", dest="frm")
    ap.add_argument("--to")
    ap.add_argument("--period")
    ap.add_argument("--measure", default="quantity")
    ap.add_argument("--threshold", type=float, default=30.0)
    ap.add_argument("--all", action="store_true")
    a = ap.parse_args()
    lines = load_ingests([f.split(",") for f in a.files])
    obs = observations(lines, a.reporter, a.flow, a.product)
    if a.cmd == "trends":
        out = trends(obs, a.partner, a.freq, a.frm, a.to)
    elif a.cmd == "partners":
        out = partners(obs, a.period, a.measure)
    else:
        out = anomalies(obs, a.partner, a.threshold, a.all)
    json.dump(out, sys.stdout, indent=2, default=str)
    print()


if __name__ == "__main__":
    main()
