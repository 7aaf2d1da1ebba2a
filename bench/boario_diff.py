"""Differential testing of `chokepoint simulate` against BoARIO 0.7.2 on random small cases.

Each seed gives one case: a random MRIO (2-5 regions, 2-6 sectors, 1-3 final-demand
categories, names chosen so that BoARIO's lexicographic re-sort matters; some tables with a
tiny column, an industry with no output, a negative final demand or negative value added),
random model parameters within what the scenario TOML accepts and BoARIO takes, and 1-3
random events (arbitrary / recover / rebuild). The MRIO is written in pymrio's `save_all()`
layout at full precision (for chokepoint) and the same IOSystem is handed to BoARIO. Every
record column of every step is compared: |a-b| <= 1e-9 * max(|a|, |b|), 1e-9 absolute near
zero, and for unmet/undistributed final demand against the largest final demand per step.

Classes: `match` (`bitexact`: no difference at all), `mismatch`, `boario_error` (BoARIO
raises, e.g. concurrent events Q3, where chokepoint is meant to differ; the steps before are
still compared, `boario_error+diff` if they differ), `q5_tolerated` (base model, first
divergence in capacity or overproduction, all differences <= 1e-4: the §10 allowance),
`cli_refused` (chokepoint refuses a scenario BoARIO started), `both_crashed` (same step,
same records until then), `crash_mismatch`, `panic`, `harness_error`. `first` is the first
(step, record, column, BoARIO, chokepoint) beyond the tolerance, `first_any` the first
difference of any size.

Setup: bench/.venv with boario 0.7.2 and pymrio (see bench/ario_vs_boario.py), and a
`chokepoint` binary (CHOKEPOINT_BIN, default /work/target-release/release/chokepoint); the
sim crate's example takes the same arguments and needs no DataFusion build:
    cargo build --release -p chokepoint-sim --example scenario_csv
    export CHOKEPOINT_BIN=target/release/examples/scenario_csv
Run:
    bench/.venv/bin/python bench/boario_diff.py --seeds 0:400 [--jobs 2]
    bench/.venv/bin/python bench/boario_diff.py --seeds 17,42 --keep /tmp/cases
Options: `--keep DIR` leaves each case (mrio/, scenario.toml, case.json, out/) in
DIR/seed-N; `--seq-blas` makes BoARIO sum over regions in region order instead of through
OpenBLAS (diagnosis: the one order chokepoint does not reproduce, see docs/engine.md);
`--model-extra 'numerics = "fast"'` adds chokepoint-only [model] lines; FUZZ_SHAPES="4x5,5x9"
draws regions x sectors from that list. One JSON line per case, then a summary line.
"""
import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import traceback
import warnings
from multiprocessing import Pool

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")

BIN = os.environ.get("CHOKEPOINT_BIN", "/work/target-release/release/chokepoint")
RECORDS = {
    # chokepoint CSV -> BoARIO in-memory record attribute (None: captured by hand)
    "production_realised": "_production_evolution",
    "production_capacity": "_production_cap_evolution",
    "intermediate_demand_tot": "_io_demand_evolution",
    "rebuild_demand_tot": "_rebuild_demand_evolution",
    "rebuild_prod_tot": "_rebuild_production_evolution",
    "final_demand_undist": "_final_demand_undist_evolution",
    "final_demand_unmet": "_final_demand_unmet_evolution",
    "overproduction": None,
}
REGION_POOL = ["reg1", "reg2", "reg10", "zeta", "Alpha", "b", "mid", "reg3"]
SECTOR_POOL = ["mining", "food", "Zinc", "construction", "other", "s10", "s2", "trade", "a_b"]
CAT_POOL = ["hh", "gov", "Gfcf", "npish"]
FUNCS = ["linear", "convexe", "convexe noscale", "concave"]


def gen_case(seed):
    rng = np.random.default_rng(seed)
    R = int(rng.integers(2, 6))
    S = int(rng.integers(2, 7))
    shapes = os.environ.get("FUZZ_SHAPES")  # e.g. "4x5,5x5": regions x sectors to draw from
    if shapes:
        R, S = (int(v) for v in shapes.split(",")[int(rng.integers(len(shapes.split(","))))].split("x"))
    F = int(rng.integers(1, 4))
    regions = list(rng.choice(REGION_POOL, R, replace=False))
    sectors = list(rng.choice(SECTOR_POOL, S, replace=False))
    cats = list(rng.choice(CAT_POOL, F, replace=False))
    N = R * S
    z = rng.uniform(0.0, 10.0, (N, N)) * (rng.random((N, N)) > rng.uniform(0.0, 0.5))
    # Domestic flows are larger
    for r in range(R):
        z[r * S:(r + 1) * S, r * S:(r + 1) * S] *= rng.uniform(1, 5)
    z *= 10 ** rng.uniform(0, 4)
    y = rng.uniform(1.0, 50.0, (N, R * F)) * (rng.random((N, R * F)) > 0.2)
    y *= 10 ** rng.uniform(0, 4)
    variant = rng.random()
    if variant < 0.1:  # an industry with tiny flows (input-relevance threshold)
        k = int(rng.integers(N))
        z[:, k] *= 1e-9
    elif variant < 0.15:  # an industry with no output at all (x = 0, A column 0)
        k = int(rng.integers(N))
        z[k, :] = 0
        z[:, k] = 0
        y[k, :] = 0
    elif variant < 0.2:  # negative final demand entries (changes in inventories, Q25)
        k = int(rng.integers(N))
        y[k, int(rng.integers(R * F))] *= -0.2
    elif variant < 0.25:  # an industry whose inputs exceed its output (VA < 0, Q15)
        k = int(rng.integers(N))
        z[:, k] *= 10
    x = z.sum(axis=1) + y.sum(axis=1)
    steps = int(rng.integers(50, 201))
    model = {}
    if rng.random() < 0.5:
        model["kind"] = str(rng.choice(["psi", "base"]))
    if rng.random() < 0.6:
        model["order_type"] = str(rng.choice(["alt", "noalt"]))
    if rng.random() < 0.5:
        model["alpha_base"] = float(rng.choice([1.0, round(rng.uniform(0.9, 1.1), 3)]))
    if rng.random() < 0.5:
        model["alpha_max"] = round(max(1.0, model.get("alpha_base", 1.0)) + rng.uniform(0, 0.6), 3)
    if rng.random() < 0.5:
        model["alpha_tau"] = int(rng.choice([1, 2, 10, 30, 100, 365, 500]))
    if rng.random() < 0.5:
        model["main_inv_dur"] = int(rng.choice([1, 2, 5, 15, 30, 90, 200]))
    if rng.random() < 0.4:
        model["psi_param"] = float(rng.choice([0.0, 0.5, 0.8, 0.95, 1.0]))
    if rng.random() < 0.4:
        if rng.random() < 0.5:
            model["inventory_restoration_tau"] = int(rng.choice([1, 5, 30, 60, 120]))
        else:
            model["inventory_restoration_tau"] = {s: int(rng.choice([1, 5, 30, 60, 120])) for s in sectors}
    if rng.random() < 0.4:
        model["inventory_dict"] = {
            s: ("inf" if rng.random() < 0.3 else int(rng.choice([1, 2, 3, 10, 30, 60, 90]))) for s in sectors}
    mf = 1e6
    if rng.random() < 0.4:
        mf = float(rng.choice([1.0, 1e3, 1e6]))
        model["monetary_factor"] = mf
    va = np.maximum(x - z.sum(axis=0), 0.0)
    cap = 4 * va
    n_ev = int(rng.choice([1, 1, 1, 2, 2, 3]))
    # Concurrent arbitrary events, or arbitrary + capital events, make BoARIO raise (Q3):
    # mostly draw cases where several events are all capital events, or strictly sequential.
    only_capital = n_ev > 1 and rng.random() < 0.5
    events = []
    t_free = 1
    for _ in range(n_ev):
        kind = str(rng.choice(["recover", "rebuild"] if only_capital else ["arbitrary", "recover", "rebuild"]))
        ev = {"kind": kind}
        # Industries hit
        rs = list(rng.choice(regions, int(rng.integers(1, min(R, 2) + 1)), replace=False))
        ss = list(rng.choice(sectors, int(rng.integers(1, min(S, 3) + 1)), replace=False))
        idx = [regions.index(r) * S + sectors.index(s) for r in rs for s in ss]
        if kind != "arbitrary" and any(cap[i] <= 0 for i in idx):
            kind = ev["kind"] = "arbitrary"
        emf = mf
        if kind != "arbitrary" and rng.random() < 0.2:
            emf = float(rng.choice([1.0, 1e3, 1e6, 1e9]))
            if kind == "rebuild" and emf < mf and rng.random() < 0.8:
                emf = mf * 1e3  # Q16: a rebuild's unscaled impact must stay below K
            ev["event_monetary_factor"] = emf
        if kind == "arbitrary":
            share = float(rng.choice([1.0, round(rng.uniform(0.05, 1.0), 4)]))
            vals = {i: share for i in idx} if rng.random() < 0.6 else {
                i: round(float(rng.uniform(0.05, 1.0)), 4) for i in idx}
        else:
            vals = {i: float(rng.uniform(0.01, 0.5)) * cap[i] * mf / emf for i in idx}
        labels = {f"{regions[i // S]}|{sectors[i % S]}": v for i, v in vals.items()}
        same = len(set(vals.values())) == 1
        if same and rng.random() < 0.7:
            if len(rs) == 1:
                ev["region"] = rs[0]
            else:
                ev["regions"] = rs
            if len(ss) == 1:
                ev["sector"] = ss[0]
            else:
                ev["sectors"] = ss
            ev["impact"] = next(iter(vals.values()))
        else:
            ev["impact"] = labels
        ev["_impacts"] = labels
        duration = int(rng.integers(1, 40))
        sequential = rng.random() < 0.7
        lo = t_free if sequential else 1
        hi = steps - duration - 1
        if lo > hi:
            lo = 1
        occ = int(rng.integers(lo, hi + 1))
        ev["occurrence"] = occ
        if rng.random() < 0.9 or duration != 1:
            ev["duration"] = duration
        if kind in ("arbitrary", "recover"):
            if n_ev > 1 and not only_capital and sequential:
                ev["recovery_function"] = "linear"  # finishes at e = tau, so events do not overlap
            if rng.random() < 0.85:
                ev["recovery_tau"] = int(rng.choice([1, 2, 5, 10, 30, 60]))
            if rng.random() < 0.8 and "recovery_function" not in ev:
                ev["recovery_function"] = str(rng.choice(FUNCS))
        else:
            ev["rebuild_tau"] = int(rng.choice([1, 5, 30, 60, 100]))
            k = int(rng.integers(1, min(S, 3) + 1))
            rsec = list(rng.choice(sectors, k, replace=False))
            w = rng.dirichlet(np.ones(k))
            w = [round(float(v), 3) for v in w[:-1]]
            w.append(round(1.0 - sum(w), 3))
            if w[-1] <= 0:
                w = [1.0 / k] * k if k in (1, 2, 4) else [1.0] + [0.0] * (k - 1)
            ev["rebuilding_sectors"] = dict(zip(rsec, w))
            if rng.random() < 0.4:
                ev["rebuilding_factor"] = float(rng.choice([0.5, 1.0, 1.5, 2.0]))
        end = occ + duration + 2 + int(ev.get("recovery_tau", 1)) + 3
        t_free = min(end, steps - 2)
        events.append(ev)
    return {
        "seed": seed, "regions": regions, "sectors": sectors, "cats": cats,
        "z": z.tolist(), "y": y.tolist(), "x": x.tolist(), "steps": steps,
        "model": model, "events": events,
    }


def toml_value(v):
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, float):
        return repr(float(v))
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(a) for a in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(a)}" for k, a in v.items()) + " }"
    raise TypeError(type(v))


def write_toml(case, path):
    lines = ["[network]", 'mrio = "mrio"', "", "[model]"]
    for k, v in case["model"].items():
        lines.append(f"{k} = {toml_value(v)}")
    # chokepoint-only settings (BoARIO has no such parameter), e.g. numerics = "fast"
    for kv in filter(None, os.environ.get("CHOKEPOINT_MODEL_EXTRA", "").split(";")):
        lines.append(kv)
    lines += ["", "[simulation]", f"steps = {case['steps']}"]
    for ev in case["events"]:
        lines += ["", "[[event]]"]
        for k, v in ev.items():
            if not k.startswith("_"):
                lines.append(f"{k} = {toml_value(v)}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def iosystem(case):
    import pymrio
    regions, sectors, cats = case["regions"], case["sectors"], case["cats"]
    ind = pd.MultiIndex.from_product([regions, sectors], names=["region", "sector"])
    fdc = pd.MultiIndex.from_product([regions, cats], names=["region", "category"])
    io = pymrio.IOSystem()
    io.Z = pd.DataFrame(np.array(case["z"]), index=ind, columns=ind)
    io.Y = pd.DataFrame(np.array(case["y"]), index=ind, columns=fdc)
    io.x = pd.DataFrame(np.array(case["x"]), index=ind, columns=["indout"])
    io.A = pymrio.calc_A(io.Z, io.x)
    io.meta.change_meta("name", "fuzz")
    return io


def write_mrio(case, folder):
    """pymrio's save_all() layout, but at full precision (save_all writes 12 significant
    digits, which would hand chokepoint other numbers than the IOSystem BoARIO gets)."""
    io = iosystem(case)
    os.makedirs(folder, exist_ok=True)
    io.Z.to_csv(os.path.join(folder, "Z.txt"), sep="\t")
    io.Y.to_csv(os.path.join(folder, "Y.txt"), sep="\t")
    io.x.to_csv(os.path.join(folder, "x.txt"), sep="\t")
    io.A.to_csv(os.path.join(folder, "A.txt"), sep="\t")


class _SeqRegionSum(np.ndarray):
    """BoARIO's summation matrix I_sum (S x R*S): `I_sum @ M` summed over regions in region
    order, instead of by OpenBLAS's dgemm, whose order depends on the matrix size and the
    CPU's kernel (diagnosis only: `--seq-blas`)."""

    def __matmul__(self, other):
        s = self.shape[0]
        m = np.asarray(other)
        out = m[0:s].copy()
        for r in range(1, self.shape[1] // s):
            out = out + m[r * s:(r + 1) * s]
        if isinstance(other, pd.DataFrame):
            return pd.DataFrame(out, columns=other.columns)
        return out


def _patch_region_sums():
    import boario.model_base as mb

    class NpProxy:
        def __getattr__(self, k):
            return getattr(np, k)

        def tile(self, a, reps):
            out = np.tile(a, reps)
            if isinstance(reps, (int, np.integer)) and a.ndim == 2 and a.shape[0] == a.shape[1]:
                return out.view(_SeqRegionSum)
            return out

    mb.np = NpProxy()


def run_boario(case):
    """Returns (records dict name -> (T x N) array with labels, error or None, crashed_at)."""
    import boario
    if os.environ.get("BOARIO_SEQ_BLAS"):
        _patch_region_sums()
    from boario.event import from_series
    from boario.extended_models import ARIOPsiModel
    from boario.model_base import ARIOBaseModel
    from boario.simulation import Simulation
    logging.getLogger("boario").setLevel(logging.CRITICAL)
    io = iosystem(case)
    m = dict(case["model"])
    kind = m.pop("kind", "psi")
    kw = {}
    for k in ("order_type", "alpha_base", "alpha_max", "alpha_tau", "main_inv_dur",
              "monetary_factor", "inventory_dict"):
        if k in m:
            kw[k] = m[k]
    if "monetary_factor" in kw:
        kw["monetary_factor"] = int(kw["monetary_factor"])
    if kind == "psi":
        for k in ("psi_param", "inventory_restoration_tau"):
            if k in m:
                kw[k] = m[k]
        # BoARIO takes per-sector tables positionally in sorted-key order
        cls = ARIOPsiModel
    else:
        cls = ARIOBaseModel
    for k in ("inventory_dict", "inventory_restoration_tau"):
        if isinstance(kw.get(k), dict):
            kw[k] = {s: kw[k][s] for s in sorted(kw[k])}
    try:
        model = cls(io, **kw)
        sim = Simulation(model, n_temporal_units_to_sim=case["steps"],
                         boario_output_dir=tempfile.mkdtemp(prefix="boario-fuzz"))
        mf = float(case["model"].get("monetary_factor", 1e6))
        for ev in case["events"]:
            keys = [tuple(l.split("|")) for l in ev["_impacts"]]
            s = pd.Series(list(ev["_impacts"].values()),
                          index=pd.MultiIndex.from_tuples(keys, names=["region", "sector"]))
            etype = {"arbitrary": "arbitrary", "recover": "recovery", "rebuild": "rebuild"}[ev["kind"]]
            ekw = dict(event_type=etype, occurrence=ev["occurrence"], duration=ev.get("duration", 1))
            if etype != "arbitrary":
                ekw["event_monetary_factor"] = int(ev.get("event_monetary_factor", mf))
            if etype in ("arbitrary", "recovery"):
                ekw["recovery_tau"] = ev.get("recovery_tau", 1)
                ekw["recovery_function"] = ev.get("recovery_function", "linear")
            else:
                ekw["rebuild_tau"] = ev["rebuild_tau"]
                ekw["rebuilding_sectors"] = ev["rebuilding_sectors"]
                ekw["rebuilding_factor"] = ev.get("rebuilding_factor", 1.0)
            sim.add_event(from_series(s, **ekw))
    except Exception as e:  # noqa: BLE001
        return None, f"setup: {type(e).__name__}: {str(e)[:300]}", None
    T = case["steps"]
    alpha = np.full((T, model.n_regions * model.n_sectors), np.nan)
    err, crashed = None, None
    for t in range(T):
        try:
            rc = sim.next_step()
        except Exception as e:  # noqa: BLE001
            cause = e.__cause__ or e
            err = f"step {t}: {type(cause).__name__}: {str(cause)[:300]}"
            crashed = t
            break
        alpha[t] = model.overprod
        if rc == 1:
            crashed = t
            break
    regions = sorted(case["regions"])
    sectors = sorted(case["sectors"])
    labels = [f"{r}|{s}" for r in regions for s in sectors]
    recs = {}
    for name, attr in RECORDS.items():
        arr = alpha if attr is None else np.array(getattr(sim, attr), dtype=float)
        recs[name] = pd.DataFrame(arr[:T], columns=labels)
    return recs, err, crashed


def run_chokepoint(case, folder):
    out = os.path.join(folder, "out")
    dd = os.path.join(folder, "dd")
    os.makedirs(dd, exist_ok=True)
    p = subprocess.run([BIN, "simulate", os.path.join(folder, "scenario.toml"), "--out", out,
                        "--data-dir", dd, "-q", "--format", "json"],
                       capture_output=True, text=True, timeout=300)
    recs = {}
    if os.path.exists(os.path.join(out, "production_realised.csv")):
        for name in RECORDS:
            recs[name] = pd.read_csv(os.path.join(out, f"{name}.csv"), index_col="step",
                                     float_precision="round_trip").astype(float)
    summary = None
    if os.path.exists(os.path.join(out, "summary.json")):
        with open(os.path.join(out, "summary.json")) as f:
            summary = json.load(f)
    return p.returncode, p.stderr.strip()[-600:], recs, summary


def compare(bo, ck, rows, fd_scale=0.0):
    """First divergence and max rel diff per record over `rows` steps. Unmet and
    undistributed final demand are differences of nearly equal numbers (v - (v/t)*x with
    x ~ t), so they are also compared against `fd_scale` (the largest final demand of an
    industry per step): an ulp of x there is a large relative change of the residual."""
    worst = {}
    first = None
    first_any = None
    for name in RECORDS:
        b = bo[name].iloc[:rows]
        c = ck[name].reindex(columns=b.columns).iloc[:rows].to_numpy()
        b = b.to_numpy()
        if c.shape != b.shape:
            return {"shape": [name, list(b.shape), list(c.shape)]}, ("shape", name)
        both_nan = np.isnan(b) & np.isnan(c)
        scale = np.maximum(np.abs(b), np.abs(c))
        if name in ("final_demand_undist", "final_demand_unmet"):
            scale = np.maximum(scale, fd_scale)
        d = np.abs(b - c)
        rel = np.where(scale > 1e-9, d / np.where(scale > 0, scale, 1), d)
        rel = np.where(both_nan, 0.0, rel)
        rel = np.where(np.isnan(rel), np.inf, rel)
        worst[name] = float(rel.max()) if rel.size else 0.0
        nz = np.argwhere(rel > 0)
        if len(nz):
            t, j = nz[0]
            cand = (int(t), name, bo[name].columns[j], float(b[t, j]), float(c[t, j]))
            if first_any is None or cand[0] < first_any[0]:
                first_any = cand
        bad = np.argwhere(rel > 1e-9)
        if len(bad):
            t, j = bad[0]
            cand = (int(t), name, b.shape and bo[name].columns[j], float(b[t, j]), float(c[t, j]))
            if first is None or cand[0] < first[0]:
                first = cand
    exact = all(v == 0 for v in worst.values())
    return {"worst": worst, "bitexact": exact, "first_any": first_any}, first


def run_case(seed, keep=None):
    case = gen_case(seed)
    folder = tempfile.mkdtemp(prefix=f"fuzz-{seed}-")
    try:
        write_mrio(case, os.path.join(folder, "mrio"))
        write_toml(case, os.path.join(folder, "scenario.toml"))
        with open(os.path.join(folder, "case.json"), "w") as f:
            json.dump(case, f)
        rc, stderr, ck, summary = run_chokepoint(case, folder)
        bo, berr, bcrash = run_boario(case)
        res = {"seed": seed, "N": len(case["regions"]) * len(case["sectors"]),
               "steps": case["steps"], "kind": case["model"].get("kind", "psi"),
               "events": [e["kind"] for e in case["events"]], "rc": rc}
        if berr and berr.startswith("setup"):
            res["class"] = "boario_error" if rc == 0 else "both_refused"
            res["boario"] = berr
            if rc != 0:
                res["chokepoint"] = stderr
            return res
        if rc != 0 and not ck:
            res["class"] = "cli_refused" if bo is not None else "both_refused"
            res["chokepoint"] = stderr
            res["boario"] = berr
            return res
        if berr:
            res["boario"] = berr
        if rc == 101 or "panicked" in stderr:
            res["class"] = "panic"
            res["chokepoint"] = stderr
            return res
        ck_rows = len(ck["production_realised"])
        rows = case["steps"]
        if bcrash is not None:
            rows = bcrash  # rows before BoARIO's failing step are complete
        if rc != 0:
            rows = min(rows, max(ck_rows - 1, 0))
        fd_scale = float(np.abs(np.array(case["y"])).sum(axis=1).max()) / 365.0
        cmp, first = compare(bo, ck, rows, fd_scale)
        res.update(cmp)
        if first:
            res["first"] = first
        if berr:
            # BoARIO raised mid-run (Q3 concurrent events, or a negative-orders guard)
            res["class"] = "boario_error" if first is None else "boario_error+diff"
        elif bcrash is not None or rc != 0:
            same = rc != 0 and bcrash is not None and ck_rows == bcrash
            res["crash"] = {"boario": bcrash, "chokepoint_rows": ck_rows, "rc": rc, "stderr": stderr[-300:]}
            res["class"] = "both_crashed" if same and first is None else "crash_mismatch"
        elif first is None:
            res["class"] = "match"
        else:
            allw = max(cmp["worst"].values())
            if res["kind"] == "base" and first[1] in ("production_capacity", "overproduction") and allw <= 1e-4:
                res["class"] = "q5_tolerated"
            else:
                res["class"] = "mismatch"
        return res
    except Exception:  # noqa: BLE001
        return {"seed": seed, "class": "harness_error", "trace": traceback.format_exc()[-1500:]}
    finally:
        if keep:
            dst = os.path.join(keep, f"seed-{seed}")
            shutil.rmtree(dst, ignore_errors=True)
            shutil.copytree(folder, dst, ignore=shutil.ignore_patterns("dd"))
        shutil.rmtree(folder, ignore_errors=True)


def parse_seeds(text):
    out = []
    for part in text.split(","):
        if ":" in part:
            a, b = part.split(":")
            out += list(range(int(a), int(b)))
        else:
            out.append(int(part))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="0:50")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", default=None)
    ap.add_argument("--seq-blas", action="store_true",
                    help="diagnosis: make BoARIO sum over regions in region order instead of "
                         "with OpenBLAS (see _SeqRegionSum)")
    ap.add_argument("--model-extra", default="",
                    help='chokepoint-only [model] lines, ";"-separated, e.g. \'storage = "sparse"\'')
    args = ap.parse_args()
    if args.model_extra:
        os.environ["CHOKEPOINT_MODEL_EXTRA"] = args.model_extra
    if args.seq_blas:
        os.environ["BOARIO_SEQ_BLAS"] = "1"
    seeds = parse_seeds(args.seeds)
    counts = {}
    with Pool(args.jobs) as pool:
        for res in pool.imap_unordered(run_case, seeds) if args.keep is None else (
                run_case(s, args.keep) for s in seeds):
            counts[res["class"]] = counts.get(res["class"], 0) + 1
            print(json.dumps(res, default=str), flush=True)
    print(json.dumps({"summary": counts, "cases": len(seeds)}), flush=True)


if __name__ == "__main__":
    main()
