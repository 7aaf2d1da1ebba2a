//! UN Comtrade+ CSV, as downloaded from the bulk service or exported from the API
//! (47 columns: `typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,…`).
//!
//! Mapping to the `trade` table:
//! - `flowCode` X/M/RX/RM → export/import/re-export/re-import; other flows (processing,
//!   domestic/foreign breakdowns) are skipped, as are services rows (`typeCode` S);
//! - rows that break a total down (`partner2Code` ≠ 0, `customsCode` ≠ C00, `motCode` ≠ 0)
//!   are skipped: storing them next to the total would count the same goods twice;
//! - tonnes from the first positive of `netWgt` (kg), `qty` if `qtyUnitCode` is 8 (kg) and
//!   `altQty` if `altQtyUnitCode` is 8: Comtrade writes 0 in `netWgt` where no weight was
//!   reported, so a zero weight beside a positive value is no figure, not 0 t (a zero
//!   weight stays 0 t beside a zero or missing value);
//! - a weight Comtrade flags as its own estimate (`isNetWgtEstimated`, `isQtyEstimated`,
//!   `isAltQtyEstimated` of the column the tonnes come from) is stored with the note
//!   [`ESTIMATED_WEIGHT_NOTE`], counted and named at ingest;
//! - value from `primaryValue` (USD), else `fobvalue`/`cifvalue`;
//! - partner World (`partnerCode` 0) is kept as partner `WLD`; a partner area that is not a
//!   country (`partnerISO` not ISO-3, such as `_X` "Areas, nes") as `_` and its numeric
//!   `partnerCode` (`_899`), a residual group;
//! - `freqCode` M → period `YYYY-MM` from `period` (YYYYMM); A → `YYYY`;
//! - `cmdCode` TOTAL → no HS code, product `total`.

use std::path::Path;

use chokepoint_model::{Flow, Period, YearMonth};

use super::fields::{self, reject};
use super::split::Cells;
use super::{Row, RowError};
use crate::products::group_of_hs_code;
use crate::schema::TradeRecord;

const FORMAT: &str = "comtrade";

/// The `notes` of a row whose tonnes are a weight UN Comtrade estimated (its
/// `is…Estimated` flag is true): a figure the reporter did not give, to tell apart from
/// reported ones in `sql`.
pub const ESTIMATED_WEIGHT_NOTE: &str = "tonnes from a weight UN Comtrade estimated";

/// Column positions of a Comtrade+ header.
pub struct Columns {
    type_code: Option<usize>,
    freq: usize,
    period: Option<usize>,
    ref_year: Option<usize>,
    ref_month: Option<usize>,
    reporter_iso: usize,
    flow: usize,
    partner_code: Option<usize>,
    partner_iso: usize,
    partner2_code: Option<usize>,
    cmd: usize,
    customs: Option<usize>,
    mot: Option<usize>,
    qty_unit: Option<usize>,
    qty: Option<usize>,
    alt_qty_unit: Option<usize>,
    alt_qty: Option<usize>,
    net_wgt: Option<usize>,
    /// The `is…Estimated` flags of `qty`, `altQty` and `netWgt`.
    qty_estimated: Option<usize>,
    alt_qty_estimated: Option<usize>,
    net_wgt_estimated: Option<usize>,
    primary_value: Option<usize>,
    fob_value: Option<usize>,
    cif_value: Option<usize>,
    /// Cells in the header (every line has as many).
    width: usize,
}

impl Columns {
    /// Locates the columns; fails when one the mapping needs is missing.
    pub fn new(path: &Path, header: &[String]) -> Result<Columns, crate::StoreError> {
        fields::check_unique(path, header)?;
        let req = |n: &str| fields::required(path, header, FORMAT, n);
        let opt = |n: &str| fields::optional(header, n);
        let c = Columns {
            type_code: opt("typeCode"),
            freq: req("freqCode")?,
            period: opt("period"),
            ref_year: opt("refYear"),
            ref_month: opt("refMonth"),
            reporter_iso: req("reporterISO")?,
            flow: req("flowCode")?,
            partner_code: opt("partnerCode"),
            partner_iso: req("partnerISO")?,
            partner2_code: opt("partner2Code"),
            cmd: req("cmdCode")?,
            customs: opt("customsCode"),
            mot: opt("motCode"),
            qty_unit: opt("qtyUnitCode"),
            qty: opt("qty"),
            alt_qty_unit: opt("altQtyUnitCode"),
            alt_qty: opt("altQty"),
            net_wgt: opt("netWgt"),
            qty_estimated: opt("isQtyEstimated"),
            alt_qty_estimated: opt("isAltQtyEstimated"),
            net_wgt_estimated: opt("isNetWgtEstimated"),
            primary_value: opt("primaryValue"),
            fob_value: opt("fobvalue"),
            cif_value: opt("cifvalue"),
            width: header.len(),
        };
        if c.period.is_none() && c.ref_year.is_none() {
            return Err(crate::StoreError::MissingColumn {
                path: path.to_path_buf(),
                format: FORMAT,
                column: "period (or refYear)".to_string(),
            });
        }
        Ok(c)
    }

    /// Maps one data line.
    pub fn parse(&self, rec: &impl Cells) -> Row {
        self.try_parse(rec).unwrap_or_else(Row::from)
    }

    fn try_parse(&self, rec: &impl Cells) -> Result<Row, RowError> {
        fields::check_width(rec, self.width, true)?;
        let text = |i: usize, col: &str| fields::text(rec, i, col);
        let opt_text = |i: Option<usize>, col: &str| match i {
            Some(i) => fields::text(rec, i, col),
            None => Ok(""),
        };
        if let Ok(t) = opt_text(self.type_code, "typeCode")
            && t.eq_ignore_ascii_case("S")
        {
            return Ok(Row::Skip("services row (typeCode S)"));
        }
        let is_total = |v: &str, total: &str| v.is_empty() || v == total;
        if !is_total(opt_text(self.partner2_code, "partner2Code")?, "0") {
            return Ok(Row::Skip("second-partner breakdown (partner2Code not 0)"));
        }
        if !is_total(opt_text(self.customs, "customsCode")?, "C00") {
            return Ok(Row::Skip(
                "customs-procedure breakdown (customsCode not C00)",
            ));
        }
        if !is_total(opt_text(self.mot, "motCode")?, "0") {
            return Ok(Row::Skip("transport-mode breakdown (motCode not 0)"));
        }
        let flow = match text(self.flow, "flowCode")? {
            "X" => Flow::Export,
            "M" => Flow::Import,
            "RX" => Flow::ReExport,
            "RM" => Flow::ReImport,
            "" => return Err(reject("flowCode", "empty flow code".into())),
            _ => return Ok(Row::Skip("flow other than X/M/RX/RM")),
        };
        let freq = text(self.freq, "freqCode")?;
        let period_text = opt_text(self.period, "period")?;
        let period = match freq {
            "M" => {
                let ym = if period_text.is_empty() {
                    let y = opt_text(self.ref_year, "refYear")?;
                    let m = opt_text(self.ref_month, "refMonth")?;
                    if y.is_empty() || m.is_empty() {
                        return Err(reject(
                            "period",
                            "empty, and refYear/refMonth do not give the month either".into(),
                        ));
                    }
                    format!("{y}-{m:0>2}")
                } else {
                    period_text.to_string()
                };
                Period::Month(ym.parse::<YearMonth>().map_err(|_| {
                    reject(
                        "period",
                        format!(
                            "not a month (YYYYMM, year 1900–2200): `{}`",
                            fields::shorten(&ym)
                        ),
                    )
                })?)
            }
            "A" => {
                let y = if period_text.is_empty() {
                    opt_text(self.ref_year, "refYear")?
                } else {
                    period_text
                };
                match chokepoint_model::parse_year(y) {
                    Some(y) => Period::Year(y),
                    None => {
                        return Err(reject(
                            "period",
                            format!("not a year (YYYY): `{}`", fields::shorten(y)),
                        ));
                    }
                }
            }
            other => {
                return Err(reject(
                    "freqCode",
                    format!(
                        "unknown frequency `{}`; expected M or A",
                        fields::shorten(other)
                    ),
                ));
            }
        };
        let reporter = fields::country(text(self.reporter_iso, "reporterISO")?, "reporterISO")?;
        let partner_code = opt_text(self.partner_code, "partnerCode")?;
        let partner = if partner_code == "0" {
            "WLD".to_string()
        } else {
            let iso = text(self.partner_iso, "partnerISO")?;
            if iso == "W00" {
                "WLD".to_string()
            } else {
                match (
                    fields::country(iso, "partnerISO"),
                    partner_code.parse::<u32>(),
                ) {
                    (Ok(country), _) => country,
                    // Comtrade's partner areas that are not countries ("Areas, nes" `_X`,
                    // bunkers, free zones) carry codes that are not ISO-3: they were
                    // rejected, so a bulk file did not ingest without `--skip-bad`, which
                    // dropped their tonnes. Kept apart by their numeric code as residual
                    // groups (`_899`): in totals, never ranked as a country.
                    (Err(_), Ok(code)) if code > 0 => format!("_{code}"),
                    (Err(e), _) => return Err(e),
                }
            }
        };
        let cmd = text(self.cmd, "cmdCode")?;
        let (hs_code, product) = if cmd.eq_ignore_ascii_case("TOTAL") {
            (None, Some("total".to_string()))
        } else {
            let hs = fields::hs_code(cmd, "cmdCode")?;
            let group = group_of_hs_code(&hs).map(str::to_string);
            (Some(hs), group)
        };
        // Each figure keeps the column it was read from, so a negative one is reported at
        // that column (a negative `qty` or `cifvalue` was reported at `netWgt` or
        // `primaryValue`).
        let mut value = None;
        for (i, column) in [
            (self.primary_value, "primaryValue"),
            (self.fob_value, "fobvalue"),
            (self.cif_value, "cifvalue"),
        ] {
            if let Some(v) = fields::number(rec, i, column)? {
                value = Some((v, column));
                break;
            }
        }
        if let Some((v, column)) = value.filter(|(v, _)| *v < 0.0) {
            return Err(reject(column, format!("negative value: `{v}`")));
        }
        // The kilogram figures in order of preference, each with its column (a fixed array:
        // this runs on every line).
        let in_kg =
            |unit: Option<usize>, unit_col: &str, qty: Option<usize>, qty_col: &'static str| {
                // Unit code 8 is kilograms in Comtrade's quantity units.
                if opt_text(unit, unit_col)? == "8" {
                    Ok(fields::number(rec, qty, qty_col)?.map(|kg| (kg, qty_col)))
                } else {
                    Ok(None)
                }
            };
        let weights: [Option<(f64, &str)>; 3] = [
            fields::number(rec, self.net_wgt, "netWgt")?.map(|kg| (kg, "netWgt")),
            in_kg(self.qty_unit, "qtyUnitCode", self.qty, "qty")?,
            in_kg(self.alt_qty_unit, "altQtyUnitCode", self.alt_qty, "altQty")?,
        ];
        let weights = weights.iter().flatten();
        if let Some((q, column)) = weights.clone().find(|(q, _)| *q < 0.0) {
            return Err(reject(column, format!("negative weight: `{q}`")));
        }
        let traded = value.is_some_and(|(v, _)| v > 0.0);
        let quantity_kg = weights
            .clone()
            .copied()
            .find(|(q, _)| *q > 0.0)
            .or_else(|| weights.clone().next().copied().filter(|_| !traded));
        // Whether the weight taken is one Comtrade flags as its own estimate.
        let estimated = quantity_kg.is_some_and(|(_, column)| {
            let (flag, flag_column) = match column {
                "netWgt" => (self.net_wgt_estimated, "isNetWgtEstimated"),
                "qty" => (self.qty_estimated, "isQtyEstimated"),
                _ => (self.alt_qty_estimated, "isAltQtyEstimated"),
            };
            opt_text(flag, flag_column).is_ok_and(|f| f.eq_ignore_ascii_case("true") || f == "1")
        });
        let (quantity_kg, value) = (quantity_kg.map(|(q, _)| q), value.map(|(v, _)| v));
        if quantity_kg.is_none() && value.is_none() {
            // A row with no figure says nothing, yet as user data it would stand in for the
            // bundled figure of its period and partner (China's April 2025 magnets went
            // blank). The tidy reader refuses the same row.
            return Err(reject(
                "netWgt",
                "no figure: netWgt (or qty in kg), primaryValue, fobvalue and cifvalue are all \
                 empty"
                    .into(),
            ));
        }
        Ok(Row::Record(TradeRecord {
            hs_code,
            product,
            quantity_t: quantity_kg.map(|kg| kg / 1000.0),
            value_usd: value,
            notes: estimated.then(|| ESTIMATED_WEIGHT_NOTE.to_string()),
            ..TradeRecord::blank(period, reporter, partner, flow)
        }))
    }
}

/// The 47 columns of a Comtrade+ CSV, in download order (for fixtures and benches).
pub const HEADER: &str = "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,\
reporterISO,reporterDesc,flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,partner2Code,\
partner2ISO,partner2Desc,classificationCode,classificationSearchCode,isOriginalClassification,\
cmdCode,cmdDesc,aggrLevel,isLeaf,customsCode,customsDesc,mosCode,motCode,motDesc,qtyUnitCode,\
qtyUnitAbbr,qty,isQtyEstimated,altQtyUnitCode,altQtyUnitAbbr,altQty,isAltQtyEstimated,netWgt,\
isNetWgtEstimated,grossWgt,isGrossWgtEstimated,cifvalue,fobvalue,primaryValue,\
legacyEstimationFlag,isReported,isAggregate";

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Columns {
        let header: Vec<String> = HEADER.split(',').map(str::to_string).collect();
        assert_eq!(header.len(), 47);
        Columns::new(Path::new("x.csv"), &header).unwrap()
    }

    fn line(
        flow: &str,
        partner_code: &str,
        partner_iso: &str,
        cmd: &str,
        net: &str,
        qty_unit: &str,
        qty: &str,
    ) -> csv::ByteRecord {
        record(&format!(
            "C,M,20250501,2025,5,202505,156,CHN,China,{flow},Export,{partner_code},{partner_iso},\"Korea, Rep.\",0,W00,World,H6,HS,true,{cmd},Permanent magnets,6,true,C00,TOTAL CPC,0,0,TOTAL MOT,{qty_unit},kg,{qty},false,-1,N/A,0,false,{net},false,0,false,0,1200.5,1200.5,0,true,false"
        ))
    }

    /// One Comtrade line (no header) as a record of the download's 47 cells.
    fn record(line: &str) -> csv::ByteRecord {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes());
        let mut rec = csv::ByteRecord::new();
        r.read_byte_record(&mut rec).unwrap();
        assert_eq!(rec.len(), 47);
        rec
    }

    #[test]
    fn maps_flow_partner_tonnes_and_value() {
        let Row::Record(r) =
            columns().parse(&line("X", "410", "KOR", "850511", "2500", "8", "2500"))
        else {
            panic!("not a record")
        };
        assert_eq!(r.flow, Flow::Export);
        assert_eq!(r.partner_iso3, "KOR");
        assert_eq!(r.quantity_t, Some(2.5));
        assert_eq!(r.value_usd, Some(1200.5));
        assert_eq!(r.period.to_string(), "2025-05");
        assert_eq!(r.product.as_deref(), Some("magnets"));
    }

    #[test]
    fn world_partner_and_missing_net_weight_fall_back() {
        let Row::Record(r) = columns().parse(&line("M", "0", "W00", "284690", "", "8", "4000"))
        else {
            panic!("not a record")
        };
        assert_eq!(r.partner_iso3, "WLD");
        assert_eq!(r.quantity_t, Some(4.0));
        let Row::Record(r) = columns().parse(&line("M", "0", "W00", "284690", "", "5", "4000"))
        else {
            panic!("not a record")
        };
        assert_eq!(
            r.quantity_t, None,
            "qty in units other than kg is not a weight"
        );
    }

    /// A row whose every figure is empty is refused: stored, it stood in for the bundled
    /// figure of its period and partner with a blank.
    #[test]
    fn a_row_without_any_figure_is_refused() {
        let full = line("X", "0", "W00", "850511", "", "5", "");
        let mut fields: Vec<Vec<u8>> = full.iter().map(<[u8]>::to_vec).collect();
        for v in &mut fields[41..=43] {
            v.clear(); // primaryValue, cifvalue, fobvalue
        }
        let rec = csv::ByteRecord::from(fields);
        let row = columns().parse(&rec);
        assert!(
            matches!(row, Row::Reject { column: Some(ref c), ref reason } if c == "netWgt" && reason.contains("no figure")),
            "{row:?}"
        );
    }

    #[test]
    fn bad_cells_are_rejected_with_their_column() {
        let row = columns().parse(&line("X", "410", "KOR", "850511", "lots", "8", ""));
        assert!(
            matches!(row, Row::Reject { column: Some(ref c), .. } if c == "netWgt"),
            "{row:?}"
        );
        assert!(matches!(
            columns().parse(&line("DX", "410", "KOR", "850511", "1", "8", "")),
            Row::Skip(_)
        ));
    }

    /// A line with chosen quantity cells: (qtyUnitCode, qty, altQtyUnitCode, altQty,
    /// netWgt, primaryValue).
    fn weights(cells: [&str; 6]) -> Row {
        let [unit, qty, alt_unit, alt, net, value] = cells;
        parse_line(&format!(
            "C,M,20250201,2025,2,202502,410,KOR,\"Korea, Rep.\",M,Import,156,CHN,China,0,W00,World,H6,HS,true,850511,Permanent magnets,6,true,C00,TOTAL CPC,0,0,TOTAL MOT,{unit},u,{qty},false,{alt_unit},kg,{alt},false,{net},false,0,false,{value},0,{value},0,true,false"
        ))
    }

    /// One Comtrade line (no header) as the reader maps it.
    fn parse_line(line: &str) -> Row {
        columns().parse(&record(line))
    }

    /// A line with the `is…Estimated` flags of qty, altQty and netWgt given.
    fn flagged(net: &str, qty_kg: &str, flags: [&str; 3]) -> Row {
        let [qty_flag, alt_flag, net_flag] = flags;
        parse_line(&format!(
            "C,M,20250201,2025,2,202502,410,KOR,\"Korea, Rep.\",M,Import,156,CHN,China,0,W00,World,H6,HS,true,850511,Permanent magnets,6,true,C00,TOTAL CPC,0,0,TOTAL MOT,8,kg,{qty_kg},{qty_flag},-1,N/A,,{alt_flag},{net},{net_flag},0,false,100,0,100,0,true,false"
        ))
    }

    /// Formats review: Comtrade's estimation flags were not read, so a weight UN Comtrade
    /// estimated was stored as if reported. The flag of the column the tonnes come from
    /// marks the row.
    #[test]
    fn a_weight_comtrade_estimated_is_noted_on_its_row() {
        let notes = |row: Row| match row {
            Row::Record(r) => r.notes,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            notes(flagged("2000", "", ["false", "false", "true"])).as_deref(),
            Some(ESTIMATED_WEIGHT_NOTE)
        );
        assert_eq!(notes(flagged("2000", "", ["true", "false", "False"])), None);
        // netWgt 0 beside a value is no figure: the tonnes come from qty, and its flag counts.
        assert_eq!(
            notes(flagged("0", "2000", ["True", "false", "false"])).as_deref(),
            Some(ESTIMATED_WEIGHT_NOTE)
        );
        assert_eq!(
            notes(flagged("0", "2000", ["false", "false", "true"])),
            None
        );
    }

    fn tonnes(row: Row) -> Option<f64> {
        match row {
            Row::Record(r) => r.quantity_t,
            other => panic!("{other:?}"),
        }
    }

    /// Formats review: Comtrade writes 0 in `netWgt` where no weight was reported; it was
    /// stored as 0 t beside $15 M (China 0 % of Korea's magnet imports), and `altQty` in kg
    /// was never read. The first positive kilogram figure counts; a zero weight beside a
    /// positive value is no figure; beside no value it stays 0 t.
    #[test]
    fn a_zero_net_weight_beside_a_value_is_no_figure_and_kilograms_stand_in() {
        assert_eq!(
            tonnes(weights(["8", "300000", "-1", "0", "0", "15000000"])),
            Some(300.0)
        );
        assert_eq!(
            tonnes(weights(["5", "1000", "8", "50000", "", "9000000"])),
            Some(50.0)
        );
        assert_eq!(
            tonnes(weights(["5", "1000", "8", "50000", "20000", "9000000"])),
            Some(20.0)
        );
        assert_eq!(
            tonnes(weights(["5", "1000", "-1", "0", "0", "15000000"])),
            None
        );
        assert_eq!(
            tonnes(weights(["5", "1000", "-1", "0", "0", "0"])),
            Some(0.0)
        );
        // A figure that is not 0 but rounds to it, or is below a millionth of its unit, is
        // refused (adversarial review: `1e-400` was stored as 0 t).
        for tiny in ["1e-400", "1e-300", "0.0000001"] {
            assert!(
                matches!(weights(["5", "1000", "-1", "0", tiny, "5"]),
                    Row::Reject { column: Some(ref c), ref reason } if c == "netWgt" && reason.starts_with("implausibly small")),
                "{tiny}"
            );
        }
        assert_eq!(
            tonnes(weights(["5", "1000", "-1", "0", "0.000", "0"])),
            Some(0.0)
        );
        // A negative kilogram figure is refused at its own column, wherever it is.
        assert!(matches!(
            weights(["5", "1000", "8", "-5", "", "1"]),
            Row::Reject { column: Some(ref c), .. } if c == "altQty"
        ));
    }

    /// Formats review: "Areas, nes" (`_X`, code 899) stopped a real bulk file without
    /// `--skip-bad`, which dropped its tonnes. It is a residual group keyed by its code; a
    /// code that is neither ISO-3 nor numeric is still refused.
    #[test]
    fn a_partner_area_that_is_not_a_country_is_a_residual_group() {
        let Row::Record(r) = columns().parse(&line("X", "899", "_X", "850511", "10", "8", "10"))
        else {
            panic!("not a record")
        };
        assert_eq!(r.partner_iso3, "_899");
        assert_eq!(
            chokepoint_model::PartnerKind::of(&r.partner_iso3),
            chokepoint_model::PartnerKind::Residual
        );
        assert!(matches!(
            columns().parse(&line("X", "", "_X", "850511", "10", "8", "10")),
            Row::Reject { column: Some(ref c), .. } if c == "partnerISO"
        ));
    }

    /// A negative figure is reported at the column it was read from: `qty` when the net
    /// weight is empty (it was reported at `netWgt`).
    #[test]
    fn a_negative_figure_is_named_by_the_column_it_came_from() {
        let column = |row: Row| match row {
            Row::Reject { column, .. } => column,
            other => panic!("{other:?}"),
        };
        let c = columns();
        assert_eq!(
            column(c.parse(&line("M", "0", "W00", "284690", "", "8", "-4000"))).as_deref(),
            Some("qty")
        );
        assert_eq!(
            column(c.parse(&line("M", "0", "W00", "284690", "-1", "8", ""))).as_deref(),
            Some("netWgt")
        );
    }

    /// A line cut short, or one whose text cell holds an unquoted comma, is rejected for
    /// its cell count, not for whichever column it would have been read from.
    #[test]
    fn lines_with_the_wrong_number_of_cells_are_rejected_as_such() {
        let full = line("X", "410", "KOR", "850511", "2500", "8", "2500");
        let short: csv::ByteRecord = full.iter().take(20).collect();
        let row = columns().parse(&short);
        assert!(
            matches!(row, Row::Reject { column: None, ref reason }
                if reason.starts_with("20 cells where the header has 47: the line is cut short")),
            "{row:?}"
        );
        // "Korea, Rep." without its quotes: 48 cells, every column after it shifted.
        let unquoted: csv::ByteRecord = full
            .iter()
            .flat_map(|c| {
                if c == b"Korea, Rep." {
                    vec![&b"Korea"[..], &b" Rep."[..]]
                } else {
                    vec![c]
                }
            })
            .collect();
        let row = columns().parse(&unquoted);
        assert!(
            matches!(row, Row::Reject { column: None, ref reason }
                if reason.contains("48 cells where the header has 47") && reason.contains("quote")),
            "{row:?}"
        );
    }
}
