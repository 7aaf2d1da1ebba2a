"""chokepoint's ARIO engine vs BoARIO 0.7.2 on the same synthetic MRIOs (dense by default).

For each size the Rust example `ario_bench` builds the table (fixed seed), times 365
steps with one arbitrary event and writes the table as .npy; `boario_run.py` then runs
BoARIO on exactly that table with the same event, in a separate process (clean peak
memory). chokepoint runs in both numerics: `exact` (the default, bit-identical to
BoARIO) and `fast` (reassociated sums, ~1e-15 relative). Prints time and peak-memory
ratios for each, and how far each one's production total is from BoARIO's.

Setup (once):
    python3 -m venv bench/.venv
    bench/.venv/bin/pip install boario pymrio progressbar2 "numpy<2.3"
    cargo build --release -p chokepoint-sim --example ario_bench
Run:
    bench/.venv/bin/python bench/ario_vs_boario.py [--sizes 20x20,50x50,50x100,100x100]
        [--boario-steps 365,365,40,0] [--steps 365] [--numerics exact,fast] [--repeat 1]
        [--density 1.0]
`--density D` keeps about D of Z's entries (all domestic flows, international ones at
random); chokepoint then stores Z0 sparse when D <= 0.15, 0.25 in fast numerics
(`storage = "auto"`), BoARIO
keeps its dense arrays. `--boario-steps` caps BoARIO's steps per size (0 = skip BoARIO); times are compared
per step. A cap is not neutral: BoARIO's step cost moves over the run (N = 2,500 on the
Zen 4 VM, 30-step windows of one 365-step run: 127-149 ms, mean 136.3; the first 30 steps
148.7, 9 % above the mean), so a short cap overstates BoARIO's cost and our ratio. Quote
ratios from full-horizon BoARIO runs where the time allows (365 steps at N = 2,500 take
about 50 s).
`Z0 read` is one parallel read of what a step streams at the least (Z0's stored entries,
fastest of five, after the run): the memory floor of a step on this host, and `floor ×`
the ratio to BoARIO that a step doing nothing else would reach.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run_json(cmd):
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stderr}")
    out = done.stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="20x20,50x50,50x100,100x100")
    ap.add_argument("--boario-steps", default="365,365,40,0")
    ap.add_argument("--steps", type=int, default=365)
    ap.add_argument("--numerics", default="exact,fast",
                    help="chokepoint numerics to time: exact (bit-identical), fast, or both")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run each engine this many times, alternating, and keep each one's fastest "
                         "(this machine's shared memory bandwidth moves single runs by ±10 %%)")
    ap.add_argument("--density", type=float, default=1.0,
                    help="share of Z's entries kept in the synthetic table (1 = dense)")
    ap.add_argument("--bin", default=os.environ.get(
        "CHOKEPOINT_BENCH_BIN", os.path.join(ROOT, "target/release/examples/ario_bench")))
    args = ap.parse_args()
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    caps = [int(v) for v in args.boario_steps.split(",")]
    numerics = [v for v in args.numerics.split(",") if v]
    flags = {"exact": [], "fast": ["--fast"]}
    for v in numerics:
        if v not in flags:
            sys.exit(f"--numerics: unknown value {v!r} (exact or fast)")
    rows = []
    for (regions, sectors), cap in zip(sizes, caps):
        base = [args.bin, "--regions", str(regions), "--sectors", str(sectors),
                "--density", str(args.density)]
        with tempfile.TemporaryDirectory() as tmp:
            ours, theirs = {}, None
            steps = min(cap, args.steps)
            for k in range(max(args.repeat, 1)):
                # Alternate the engines so that a slow spell of the host hits them alike;
                # keep each one's fastest run.
                for v in numerics:
                    cmd = base + ["--steps", str(args.steps)] + flags[v]
                    if cap > 0 and not os.path.exists(os.path.join(tmp, "Z.npy")):
                        cmd += ["--npy", tmp]
                    run = run_json(cmd)
                    if v not in ours or run["ms_per_step"] < ours[v]["ms_per_step"]:
                        ours[v] = run
                if cap > 0:
                    run = run_json([sys.executable, os.path.join(HERE, "boario_run.py"), tmp,
                                    str(regions), str(sectors), str(steps)])
                    if theirs is None or run["ms_per_step"] < theirs["ms_per_step"]:
                        theirs = run
            if theirs is not None:
                # Same table, same event, same steps: the results must agree.
                for v in numerics:
                    check = run_json(base + ["--steps", str(steps)] + flags[v])
                    rel = abs(check["production_sum"] - theirs["production_sum"]) / abs(theirs["production_sum"])
                    ours[v]["production_sum_rel_diff_vs_boario"] = rel
        row = {"n": regions * sectors, "density": args.density, "ours": ours, "boario": theirs}
        if theirs:
            row["time_ratio_per_step"] = {v: theirs["ms_per_step"] / o["ms_per_step"] for v, o in ours.items()}
            row["peak_memory_ratio"] = {v: theirs["peak_rss_mb"] / o["peak_rss_mb"] for v, o in ours.items()}
        rows.append(row)
        print(json.dumps(row), flush=True)
    print()
    print(f"{'N':>6} {'numerics':>8} {'ours ms/step':>13} {'ours s/run':>11} {'ours MB':>8} "
          f"{'BoARIO ms/step':>15} {'BoARIO MB':>10} {'time ×':>8} {'memory ×':>9} {'Δ production':>13} "
          f"{'Z0 read ms':>11} {'floor ×':>8}")
    for r in rows:
        b = r["boario"]
        for v, o in r["ours"].items():
            if b:
                print(f"{r['n']:>6} {v:>8} {o['ms_per_step']:>13.2f} {o['run_seconds']:>11.2f} "
                      f"{o['peak_rss_mb']:>8.0f} {b['ms_per_step']:>15.1f} {b['peak_rss_mb']:>10.0f} "
                      f"{r['time_ratio_per_step'][v]:>8.1f} {r['peak_memory_ratio'][v]:>9.1f} "
                      f"{o['production_sum_rel_diff_vs_boario']:>13.1e} {o['z0_read_ms']:>11.2f} "
                      f"{b['ms_per_step'] / o['z0_read_ms']:>8.1f}")
            else:
                print(f"{r['n']:>6} {v:>8} {o['ms_per_step']:>13.2f} {o['run_seconds']:>11.2f} "
                      f"{o['peak_rss_mb']:>8.0f} {'-':>15} {'-':>10} {'-':>8} {'-':>9} {'-':>13} "
                      f"{o['z0_read_ms']:>11.2f} {'-':>8}")


if __name__ == "__main__":
    main()
