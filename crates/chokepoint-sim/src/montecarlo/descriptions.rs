//! What the summary's fields mean, with their units: the CLI's legends and `descriptions`
//! in the JSON both come from here.

use std::collections::BTreeMap;

use super::summary::FlowUnit;

/// Meaning and unit of the summary's fields that are easy to misread, by field name. The
/// CLI's legends and `descriptions` in the JSON both come from here.
pub const FIELD_DESCRIPTIONS: &[(&str, &str)] = &[
    (
        "capacity_t",
        "new_supply: capacity the plant added over the horizon (ramp-up included), t, median",
    ),
    (
        "output_t",
        "new_supply: the region's output of the plant's stage over the horizon, t, median",
    ),
    (
        "output_baseline_t",
        "new_supply: that output without any scenario, t",
    ),
    (
        "added_output_t",
        "new_supply: the region's output with the plant minus without it, in the same draws \
         (the other plants kept), t: median; _p5 and _p95 its percentiles",
    ),
    (
        "total_loss_change_t",
        "new_supply: all industries' total production loss with the plant minus without it, \
         t: median (negative: less loss); _p5 and _p95 its percentiles",
    ),
    (
        "unused",
        "new_supply: neither the region's output nor any industry's loss moved with the plant \
         in 90 % of the runs; the results do not depend on it",
    ),
    (
        "no_loss_change",
        "new_supply: the plant added output but no industry's loss moved with it in 90 % of \
         the runs: what limits the industries lies at a stage below it",
    ),
    (
        "note",
        "new_supply: what unused or no_loss_change means for this plant, in words (null \
         otherwise)",
    ),
    (
        "loss_t",
        "production loss over the horizon, t of magnet use: each day's shortfall of output \
         against what the industry wanted (max(wanted − output, 0); a day above it offsets \
         nothing), summed over the days; median (p50) over the runs",
    ),
    (
        "loss_pct",
        "100 × loss_t / demand_t: the median loss over the runs as % of the median magnet \
         use the industry wanted over the horizon (its baseline, or the demand a \
         demand_shock sets), a ratio of two medians; not the median of each run's own loss \
         share, which loss_pct_exceedance counts, so it need not lie where that crosses 50 %",
    ),
    (
        "loss_pct_exceedance",
        "per threshold (5, 10, 25, 50 %): the share of runs whose own loss exceeds that % of \
         what the industry wanted in the same run (loss_t / demand_t per run)",
    ),
    (
        "demand_t",
        "magnet use the industry wanted over the horizon, t: its baseline, or the demand a \
         demand_shock sets (median over the runs); loss, halts and the output index are \
         measured against it",
    ),
    ("loss_t_p5", "5th percentile of the loss over the runs, t"),
    ("loss_t_p95", "95th percentile of the loss over the runs, t"),
    (
        "unmet_t",
        "final demand not met, t: median over the runs; on the rare-earth chain the same as \
         loss_t by construction (an industry's output is the final use of its magnets, so \
         what it fails to make is the demand left unmet); kept for the schema",
    ),
    (
        "halt_day_90",
        "median first day (from the start) with output below 90 % of baseline: a slowdown, \
         not a halt; null when it happens in fewer than half the runs",
    ),
    (
        "halt_day_50",
        "median first day with output below 50 % of baseline (the halt); null when it \
         happens in fewer than half the runs",
    ),
    (
        "halt_date_90",
        "date of halt_day_90: output below 90 % of baseline, a slowdown, not a halt",
    ),
    (
        "halt_date_50",
        "date of halt_day_50: output below 50 % of baseline",
    ),
    (
        "recovery_day_95",
        "median first day from which output stays at or above 95 % of baseline to the end of \
         the horizon, after its last fall below 90 %, over the runs that fell below 90 % \
         (below_90_probability of the runs); null when fewer than half of those runs recover \
         within the horizon, or none fell below 90 %",
    ),
    (
        "recovery_date_95",
        "date of recovery_day_95: output back at 95 % of baseline to stay, after its last \
         fall below 90 % (median over the runs that fell below 90 %); null when fewer than \
         half of them recover within the horizon",
    ),
    (
        "halt_probability",
        "share of runs in which output fell below 50 % of baseline at least once (for a day \
         or for months: see days_below_50)",
    ),
    (
        "days_below_50",
        "days with output below 50 % of baseline over the horizon, median over the runs",
    ),
    (
        "requested_t",
        "orders placed with the exporter, t per month (median): current use plus restocking \
         of depleted stocks, not licence demand at baseline; compare baseline_t",
    ),
    (
        "baseline_t",
        "the undisturbed flow over the simulated days of the month, t",
    ),
    (
        "licensed_t",
        "tonnes licensed for export (median over the runs)",
    ),
    (
        "delivered_t",
        "tonnes delivered, the simulated customs figure (median over the runs)",
    ),
];

/// The descriptions that differ on an MRIO table, whose flows are its own money units
/// and whose nodes are any sectors (no magnets, no tonnes).
const TABLE_UNIT_DESCRIPTIONS: &[(&str, &str)] = &[
    (
        "loss_t",
        "production loss over the horizon, in the MRIO table's units (the field keeps its \
         name): each day's shortfall of output against baseline (max(baseline − output, 0); \
         a day above baseline offsets nothing), summed over the days; median (p50) over the \
         runs",
    ),
    (
        "loss_pct",
        "100 × loss_t / demand_t: the median loss over the runs as % of the sector's \
         baseline output over the horizon (the same in every run, so this is also the \
         median of the runs' own loss shares)",
    ),
    (
        "demand_t",
        "the sector's baseline output over the horizon, in the table's units (median over \
         the runs); loss, halts and the output index are measured against it",
    ),
    (
        "loss_t_p5",
        "5th percentile of the loss over the runs, in the table's units",
    ),
    (
        "loss_t_p95",
        "95th percentile of the loss over the runs, in the table's units",
    ),
    (
        "unmet_t",
        "final demand not met, in the table's units: median over the runs",
    ),
    (
        "requested_t",
        "orders placed with the exporter per month, in the table's units (median): current \
         use plus restocking of depleted stocks; compare baseline_t",
    ),
    (
        "baseline_t",
        "the undisturbed flow over the simulated days of the month, in the table's units \
         (importer WLD: the destinations the controls cover, as the orders beside it)",
    ),
    (
        "licensed_t",
        "value licensed for export, in the table's units (median over the runs)",
    ),
    (
        "delivered_t",
        "value delivered, in the table's units (median over the runs)",
    ),
];

/// [`FIELD_DESCRIPTIONS`] as a map, in tonnes (the rare-earth chain).
pub fn field_descriptions() -> BTreeMap<String, String> {
    field_descriptions_in(FlowUnit::Tonnes)
}

/// The field descriptions for flows counted in `unit`.
pub fn field_descriptions_in(unit: FlowUnit) -> BTreeMap<String, String> {
    let mut map: BTreeMap<String, String> = FIELD_DESCRIPTIONS
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if unit == FlowUnit::TableUnits {
        for (k, v) in TABLE_UNIT_DESCRIPTIONS {
            map.insert(k.to_string(), v.to_string());
        }
    }
    map
}
