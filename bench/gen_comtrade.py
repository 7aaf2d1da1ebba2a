#!/usr/bin/env python3
"""Writes a synthetic UN Comtrade+ CSV (the 47 download columns) with N data rows.

Usage: gen_comtrade.py ROWS OUT.csv [SEED]

Rows: monthly, 2019-01..2025-12, 60 reporters x 120 partners (+ World rows), 200 HS6
codes, exports and imports; netWgt in kg, primaryValue in USD. Deterministic for a seed.
"""
import random
import sys

HEADER = ("typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,"
          "reporterDesc,flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,partner2Code,"
          "partner2ISO,partner2Desc,classificationCode,classificationSearchCode,"
          "isOriginalClassification,cmdCode,cmdDesc,aggrLevel,isLeaf,customsCode,customsDesc,"
          "mosCode,motCode,motDesc,qtyUnitCode,qtyUnitAbbr,qty,isQtyEstimated,altQtyUnitCode,"
          "altQtyUnitAbbr,altQty,isAltQtyEstimated,netWgt,isNetWgtEstimated,grossWgt,"
          "isGrossWgtEstimated,cifvalue,fobvalue,primaryValue,legacyEstimationFlag,isReported,"
          "isAggregate")


def iso(i):
    a = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return a[i // 676 % 26] + a[i // 26 % 26] + a[i % 26]


def main():
    rows = int(sys.argv[1])
    out = sys.argv[2]
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 42)
    reporters = [(100 + i, iso(1000 + i)) for i in range(60)]
    partners = [(300 + i, iso(3000 + i)) for i in range(120)]
    hs = [f"{rng.randrange(1, 9999):04d}{rng.randrange(10, 99)}" for _ in range(200)]
    months = [(y, m) for y in range(2019, 2026) for m in range(1, 13)]
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write(HEADER + "\r\n")
        buf = []
        for n in range(rows):
            rc, ri = rng.choice(reporters)
            if rng.random() < 0.1:
                pc, pi, pd = 0, "W00", "World"
            else:
                pc, pi = rng.choice(partners)
                pd = '"Partner, ' + pi + '"'
            y, m = rng.choice(months)
            x = rng.random() < 0.5
            cmd = rng.choice(hs)
            kg = rng.randrange(1, 5_000_000)
            usd = kg * rng.randrange(2, 90)
            buf.append(
                f"C,M,{y}{m:02d}01,{y},{m},{y}{m:02d},{rc},{ri},Reporter {ri},"
                f"{'X' if x else 'M'},{'Export' if x else 'Import'},{pc},{pi},{pd},0,W00,World,"
                f"H6,HS,true,{cmd},\"Goods, {cmd}\",6,true,C00,TOTAL CPC,0,0,TOTAL MOT,8,kg,"
                f"{kg},false,-1,N/A,0,false,{kg},false,{kg},false,{usd},{usd},{usd},0,true,false\r\n"
            )
            if len(buf) >= 50_000:
                f.write("".join(buf))
                buf.clear()
        f.write("".join(buf))


if __name__ == "__main__":
    main()
