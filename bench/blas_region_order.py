"""Which MRIO shapes OpenBLAS sums over regions in region order, as chokepoint does.

BoARIO sums over supplier regions with `I_sum @ M` (I_sum: the sector identity tiled over
regions). chokepoint adds the regions in order; where OpenBLAS adds in another order, the
results can differ in the last bits (docs/engine.md, "Not reproduced"). This script compares
the product with a region-order sum for every regions x sectors shape up to 15 x 15 (N <= 200),
for C- and Fortran-ordered M of N, R and 3R columns, on random matrices, and prints the shapes
where they differ. Machine-dependent (OpenBLAS picks kernels by CPU); a lower bound, since
only three random matrices are tried per shape.

    bench/.venv/bin/python bench/blas_region_order.py
"""

import numpy as np


def main():
    rng = np.random.default_rng(0)
    differ = {}
    for regions in range(2, 16):
        for sectors in range(2, 16):
            n = regions * sectors
            if n > 200:
                continue
            i_sum = np.tile(np.eye(sectors), regions)
            kinds = []
            for order in ("C", "F"):
                for cols in (n, regions, 3 * regions):
                    m = np.asarray(
                        rng.uniform(0, 10, (n, cols)) * 10 ** rng.uniform(-3, 3, (n, 1)),
                        order=order,
                    )
                    product = i_sum @ m
                    in_order = m[0:sectors].copy()
                    for r in range(1, regions):
                        in_order = in_order + m[r * sectors:(r + 1) * sectors]
                    if not np.array_equal(product, in_order):
                        kinds.append(f"{order}-ordered, {cols} columns")
            if kinds:
                differ[(regions, sectors)] = kinds
    print(f"{len(differ)} regions x sectors shapes where OpenBLAS is not in region order:")
    for (regions, sectors), kinds in sorted(differ.items()):
        print(f"  {regions} x {sectors} (N = {regions * sectors}): {'; '.join(kinds)}")


if __name__ == "__main__":
    main()
