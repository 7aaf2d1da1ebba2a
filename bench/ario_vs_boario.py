"""chokepoint's ARIO engine vs BoARIO 0.7.2 on the same dense synthetic MRIOs.

For each size the Rust example `ario_bench` builds the table (fixed seed), times 365
steps with one arbitrary event and writes the table as .npy; `boario_run.py` then runs
BoARIO on exactly that table with the same event, in a separate process (clean peak
memory). Prints time and peak-memory ratios.

Setup (once):
    python3 -m venv bench/.venv
    bench/.venv/bin/pip install boario pymrio progressbar2 "numpy<2.3"
    cargo build --release -p chokepoint-sim --example ario_bench
Run:
    bench/.venv/bin/python bench/ario_vs_boario.py [--sizes 20x20,50x50,50x100,100x100]
        [--boario-steps 365,365,40,0] [--steps 365]
`--boario-steps` caps BoARIO's steps per size (0 = skip BoARIO); times are compared
per step, which is fair because BoARIO's step cost does not depend on the step number.
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
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="20x20,50x50,50x100,100x100")
    ap.add_argument("--boario-steps", default="365,365,40,0")
    ap.add_argument("--steps", type=int, default=365)
    ap.add_argument("--bin", default=os.environ.get(
        "CHOKEPOINT_BENCH_BIN", os.path.join(ROOT, "target/release/examples/ario_bench")))
    args = ap.parse_args()
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    caps = [int(v) for v in args.boario_steps.split(",")]
    rows = []
    for (regions, sectors), cap in zip(sizes, caps):
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [args.bin, "--regions", str(regions), "--sectors", str(sectors), "--steps", str(args.steps)]
            if cap > 0:
                cmd += ["--npy", tmp]
            ours = run_json(cmd)
            theirs = None
            if cap > 0:
                theirs = run_json([sys.executable, os.path.join(HERE, "boario_run.py"), tmp,
                                   str(regions), str(sectors), str(min(cap, args.steps))])
        row = {"n": regions * sectors, "ours": ours, "boario": theirs}
        if theirs:
            row["time_ratio_per_step"] = theirs["ms_per_step"] / ours["ms_per_step"]
            row["peak_memory_ratio"] = theirs["peak_rss_mb"] / ours["peak_rss_mb"]
        rows.append(row)
        print(json.dumps(row), flush=True)
    print()
    print(f"{'N':>6} {'ours ms/step':>13} {'ours s/run':>11} {'ours MB':>8} "
          f"{'BoARIO ms/step':>15} {'BoARIO MB':>10} {'time ×':>8} {'memory ×':>9}")
    for r in rows:
        o, b = r["ours"], r["boario"]
        if b:
            print(f"{r['n']:>6} {o['ms_per_step']:>13.2f} {o['run_seconds']:>11.2f} {o['peak_rss_mb']:>8.0f} "
                  f"{b['ms_per_step']:>15.1f} {b['peak_rss_mb']:>10.0f} {r['time_ratio_per_step']:>8.1f} "
                  f"{r['peak_memory_ratio']:>9.1f}")
        else:
            print(f"{r['n']:>6} {o['ms_per_step']:>13.2f} {o['run_seconds']:>11.2f} {o['peak_rss_mb']:>8.0f} "
                  f"{'-':>15} {'-':>10} {'-':>8} {'-':>9}")


if __name__ == "__main__":
    main()
