"""Writes the BoARIO 0.7.2 runs that `tests/reference/bitexact.rs` compares bit for bit.

The nine reference runs are compared within 1e-9, and on the test MRIO their shocked
industry (reg3, mining) happens to get the same bits from the sums below whatever their
order. These runs hit industries where the order shows:

* `k_recover_reg1_mining`: capital destroyed at (reg1, mining), whose productive capital
  4·(x − Z.sum(axis=0)) differs in its last bits between NumPy's pairwise column sum (what
  pandas does on BoARIO's re-sorted table) and a sum in row order;
* `k_rebuild_three_sectors`: a rebuild event with three rebuilding sectors, whose capital
  lost is BoARIO's `groupby("region").sum()` (pandas 3.1: `np.add.reduceat`, the first row
  plus the pairwise sum of the others), then `.sum(axis=0)`.

The table is pymrio's test MRIO (N = 48, a multiple of 8: OpenBLAS's Σ_reg then sums in
region order on x86-64, so everything else is bit-identical too). Each record is written as
`step,region|sector,...` with every value at full precision (repr).

Run: bench/.venv/bin/python bench/boario_bitexact_runs.py crates/chokepoint-sim/tests/reference/data/bitexact
"""
import json
import logging
import os
import sys
import tempfile
import warnings

import numpy as np
import pandas as pd
import pymrio

from boario_diff import RECORDS as DIFF_RECORDS  # same folder

warnings.filterwarnings("ignore")

STEPS = 60
RUNS = {
    "k_recover_reg1_mining": dict(
        event_type="recovery", impact={("reg1", "mining"): 30000.0, ("reg5", "food"): 500000.0},
        occurrence=5, duration=10, recovery_tau=20, recovery_function="linear"),
    "k_rebuild_three_sectors": dict(
        event_type="rebuild", impact={("reg1", "mining"): 20000.0, ("reg2", "mining"): 30000.0},
        occurrence=5, duration=3, rebuild_tau=30,
        rebuilding_sectors={"construction": 0.5, "manufactoring": 0.3, "transport": 0.2}),
}
# The records both scripts compare (boario_diff.py's map, which captures overproduction by
# hand), plus the capital lost, which these runs check as well.
RECORDS = {name: attr for name, attr in DIFF_RECORDS.items() if attr} | {
    "productive_capital_lost": "_regional_sectoral_productive_capital_destroyed_evolution",
}


def main():
    from boario.event import from_series
    from boario.extended_models import ARIOPsiModel
    from boario.simulation import Simulation
    logging.getLogger("boario").setLevel(logging.CRITICAL)
    out_dir = sys.argv[1]
    for name, spec in RUNS.items():
        spec = dict(spec)
        io = pymrio.load_test()
        io.calc_all()
        model = ARIOPsiModel(io)
        sim = Simulation(model, n_temporal_units_to_sim=STEPS,
                         boario_output_dir=tempfile.mkdtemp(prefix="boario-bitexact"))
        impact = spec.pop("impact")
        s = pd.Series(list(impact.values()),
                      index=pd.MultiIndex.from_tuples(list(impact), names=["region", "sector"]))
        sim.add_event(from_series(s, event_monetary_factor=1_000_000, **spec))
        alpha = []
        for _ in range(STEPS):
            assert sim.next_step() != 1, "BoARIO crashed"
            alpha.append(model.overprod.copy())
        labels = [f"{r}|{s}" for r, s in model.industries]
        folder = os.path.join(out_dir, name)
        os.makedirs(folder, exist_ok=True)
        arrays = {k: np.array(getattr(sim, v), dtype=float) for k, v in RECORDS.items()}
        arrays["overproduction"] = np.array(alpha)
        for rec, arr in arrays.items():
            with open(os.path.join(folder, f"{rec}.csv"), "w") as f:
                f.write("step," + ",".join(labels) + "\n")
                for t, row in enumerate(arr[:STEPS]):
                    f.write(f"{t}," + ",".join(repr(float(v)) for v in row) + "\n")
        with open(os.path.join(folder, "params.json"), "w") as f:
            json.dump({"model": "ARIOPsiModel(pymrio.load_test() after calc_all()), defaults",
                       "steps": STEPS, "event": {**spec, "impact": {"|".join(k): v for k, v in impact.items()},
                                                 "event_monetary_factor": 1_000_000}}, f, indent=1)


if __name__ == "__main__":
    main()
