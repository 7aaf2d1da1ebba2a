-- The two bench queries, in SQL that both chokepoint (DataFusion) and DuckDB run
-- unchanged over the same columns of the canonical trade table. Each returns one row
-- (row count and checksum), so the tools can be checked against each other.

-- name: yoy
WITH m AS (
  SELECT reporter_iso3, hs_code, year, substr(period_start, 6, 2) AS mon, SUM(quantity_t) AS q
  FROM trade
  WHERE flow = 'export' AND partner_iso3 = 'WLD' AND hs_code IS NOT NULL AND frequency = 'M'
  GROUP BY reporter_iso3, hs_code, year, substr(period_start, 6, 2)
)
SELECT count(*) AS n, round(sum((a.q / b.q - 1) * 100), 3) AS checksum
FROM m a JOIN m b
  ON a.reporter_iso3 = b.reporter_iso3 AND a.hs_code = b.hs_code
 AND b.year = a.year - 1 AND a.mon = b.mon
WHERE b.q > 0;

-- name: hhi
WITH p AS (
  SELECT reporter_iso3, hs_code, year, partner_iso3, SUM(quantity_t) AS q
  FROM trade
  WHERE flow = 'export' AND partner_iso3 <> 'WLD' AND hs_code IS NOT NULL
  GROUP BY reporter_iso3, hs_code, year, partner_iso3
), t AS (
  SELECT reporter_iso3, hs_code, year, SUM(q) AS tot FROM p GROUP BY reporter_iso3, hs_code, year
), h AS (
  SELECT p.reporter_iso3, p.hs_code, p.year, SUM((p.q / t.tot * 100) * (p.q / t.tot * 100)) AS hhi
  FROM p JOIN t ON p.reporter_iso3 = t.reporter_iso3 AND p.hs_code = t.hs_code AND p.year = t.year
  WHERE t.tot > 0
  GROUP BY p.reporter_iso3, p.hs_code, p.year
)
SELECT count(*) AS n, round(sum(hhi), 3) AS checksum FROM h;
