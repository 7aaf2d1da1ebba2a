"""Runs BoARIO 0.7.2 on a table written by `ario_bench --npy DIR` and prints one JSON line.

Same model (ARIOPsiModel defaults) and the same event as the Rust side: 50 % of industry
0's capacity lost at step 5 for 30 steps, linear recovery over 30 steps.
Usage: boario_run.py DIR REGIONS SECTORS STEPS
"""
import json
import resource
import sys
import time
import warnings

import numpy as np
import pandas as pd
import pymrio

from boario.event import from_series
from boario.extended_models import ARIOPsiModel
from boario.simulation import Simulation

warnings.filterwarnings("ignore")
import logging

logging.getLogger("boario").setLevel(logging.ERROR)


def main():
    folder, n_regions, n_sectors, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    t0 = time.perf_counter()
    z = np.load(f"{folder}/Z.npy")
    y = np.load(f"{folder}/Y.npy")
    x = np.load(f"{folder}/x.npy")
    rw, sw, fw = len(str(n_regions)), len(str(n_sectors)), 1
    regions = [f"reg{r:0{rw}d}" for r in range(n_regions)]
    sectors = [f"sec{s:0{sw}d}" for s in range(n_sectors)]
    cats = [f"fd{c:0{fw}d}" for c in range(3)]
    ind = pd.MultiIndex.from_product([regions, sectors], names=["region", "sector"])
    fdc = pd.MultiIndex.from_product([regions, cats], names=["region", "category"])
    io = pymrio.IOSystem()
    io.Z = pd.DataFrame(z, index=ind, columns=ind)
    io.Y = pd.DataFrame(y, index=ind, columns=fdc)
    io.x = pd.DataFrame(x, index=ind, columns=["indout"])
    io.A = pymrio.calc_A(io.Z, io.x)
    io.meta.change_meta("name", "synthetic")
    model = ARIOPsiModel(io)
    sim = Simulation(model, n_temporal_units_to_sim=steps)
    impact = pd.Series([0.5], index=pd.MultiIndex.from_tuples([(regions[0], sectors[0])], names=["region", "sector"]))
    ev = from_series(impact, event_type="arbitrary", occurrence=5, duration=30, recovery_tau=30,
                     recovery_function="linear")
    sim.add_event(ev)
    build = time.perf_counter() - t0
    t1 = time.perf_counter()
    for _ in range(steps):
        sim.next_step()
    run = time.perf_counter() - t1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    prod = np.asarray(sim.production_realised).sum()
    print(json.dumps({"n": n_regions * n_sectors, "steps": steps, "build_seconds": round(build, 3),
                      "run_seconds": round(run, 3), "ms_per_step": round(run * 1e3 / steps, 3),
                      "peak_rss_mb": round(peak, 1), "crashed": bool(sim.has_crashed),
                      "production_sum": float(prod)}))


if __name__ == "__main__":
    main()
