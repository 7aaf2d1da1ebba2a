//! Tidy CSV: `period,reporter_iso3,partner_iso3,flow,hs_code,quantity_t,value_usd`, where
//! `product` may replace (or accompany) `hs_code`.
//!
//! `period` is `YYYY-MM`, `YYYY-MM..YYYY-MM` (combined months, e.g. Jan–Feb) or `YYYY`.
//! An optional `period_type` column says what a period is where its form alone does not:
//! `ytd` for a year-to-date total (`2025-01..2025-05`, which is otherwise a combined
//! period of the monthly series), or `month`, `jan_feb`, `months`, `year`; empty means the
//! natural type. A year to date then never enters the series and replaces the bundled
//! figure of the same period and partner, as the source rules say.
//! A row with a product name and no HS code is an aggregate, reachable as `--product
//! <name>`, like the bundled China-customs series.

use std::path::Path;

use chokepoint_model::{Flow, Period};

use super::fields::{self, reject};
use super::split::Cells;
use super::{Row, RowError};
use crate::StoreError;
use crate::products::group_of_hs_code;
use crate::schema::{PeriodType, TradeRecord};

const FORMAT: &str = "tidy";

/// Column positions of a tidy header.
pub struct Columns {
    period: usize,
    period_type: Option<usize>,
    reporter: usize,
    partner: usize,
    flow: usize,
    hs_code: Option<usize>,
    product: Option<usize>,
    quantity: Option<usize>,
    value: Option<usize>,
    /// Cells in the header: a line may have fewer (trailing optional cells left out).
    width: usize,
    /// Columns without a name (a comma ending the header line): a value under one is
    /// refused, not dropped with the line's other figures stored.
    unnamed: Vec<usize>,
}

impl Columns {
    /// Locates the columns; `hs_code` or `product` must be present, and at least one of
    /// `quantity_t` and `value_usd`.
    pub fn new(path: &Path, header: &[String]) -> Result<Columns, StoreError> {
        check_header(path, header)?;
        let req = |n: &str| fields::required(path, header, FORMAT, n);
        let opt = |n: &str| fields::optional(header, n);
        let c = Columns {
            period: req("period")?,
            period_type: opt("period_type"),
            reporter: req("reporter_iso3")?,
            partner: req("partner_iso3")?,
            flow: req("flow")?,
            hs_code: opt("hs_code"),
            product: opt("product"),
            quantity: opt("quantity_t"),
            value: opt("value_usd"),
            width: header.len(),
            unnamed: (0..header.len())
                .filter(|&k| header[k].trim().is_empty())
                .collect(),
        };
        let missing = |column: &str| StoreError::MissingColumn {
            path: path.to_path_buf(),
            format: FORMAT,
            column: column.to_string(),
        };
        if c.hs_code.is_none() && c.product.is_none() {
            return Err(missing("hs_code (or product)"));
        }
        if c.quantity.is_none() && c.value.is_none() {
            return Err(missing("quantity_t (or value_usd)"));
        }
        Ok(c)
    }

    /// Maps one data line.
    pub fn parse(&self, rec: &impl Cells) -> Row {
        self.try_parse(rec).unwrap_or_else(Row::from)
    }

    fn try_parse(&self, rec: &impl Cells) -> Result<Row, RowError> {
        fields::check_width(rec, self.width, false)?;
        for &k in &self.unnamed {
            if let Some(cell) = rec.cell(k).filter(|c| !c.trim_ascii().is_empty()) {
                return Err(RowError {
                    column: None,
                    reason: format!(
                        "a value (`{}`) in column {}, which has no name in the header: name \
                         the column ({}) or remove the value",
                        fields::shorten(&String::from_utf8_lossy(cell)),
                        k + 1,
                        KNOWN.join(", ")
                    ),
                });
            }
        }
        let text = |i: usize, col: &str| fields::text(rec, i, col);
        let p = text(self.period, "period")?;
        let period: Period = p
            .parse()
            .map_err(|e: chokepoint_model::ModelError| reject("period", e.to_string()))?;
        let period_type = match self.period_type {
            Some(i) => PeriodType::declared(text(i, "period_type")?, &period)
                .map_err(|e| reject("period_type", e))?,
            None => PeriodType::of(&period),
        };
        let reporter = fields::country(text(self.reporter, "reporter_iso3")?, "reporter_iso3")?;
        let partner = fields::country(text(self.partner, "partner_iso3")?, "partner_iso3")?;
        // The world total is a partner, not a reporter; and a country's trade with itself
        // is no flow (both were stored; adversarial review).
        if chokepoint_model::PartnerKind::of(&reporter) == chokepoint_model::PartnerKind::World {
            return Err(reject(
                "reporter_iso3",
                "WLD is the world total, a partner: the reporter is the country (or EUU) whose \
                 trade the line gives"
                    .into(),
            ));
        }
        if reporter == partner {
            return Err(reject(
                "partner_iso3",
                format!("reporter and partner are both {reporter}: correct one of the codes"),
            ));
        }
        let flow: Flow = text(self.flow, "flow")?
            .parse()
            .map_err(|e: chokepoint_model::ModelError| reject("flow", e.to_string()))?;
        let hs = match self.hs_code {
            Some(i) => {
                let t = text(i, "hs_code")?;
                (!t.is_empty())
                    .then(|| fields::hs_code(t, "hs_code"))
                    .transpose()?
            }
            None => None,
        };
        let named = match self.product {
            Some(i) => {
                let t = text(i, "product")?;
                (!t.is_empty()).then(|| crate::products::product_name(t))
            }
            None => None,
        };
        // A name that starts with a digit is read as an HS code by every query, so stored
        // as a name no `--product` reached it; and a name contradicting the code's group
        // filed magnets under `gallium`.
        if let Some(n) = &named {
            // Only an HS code is refused: a name beginning with a digit is reached as a
            // name (`3d-printing-powder`).
            if n.parse::<chokepoint_model::HsCode>().is_ok() {
                return Err(reject(
                    "product",
                    format!(
                        "`{}` looks like an HS code: put it in hs_code (product is a name, such \
                         as magnets)",
                        fields::shorten(n)
                    ),
                ));
            }
            if let Some(group) = hs.as_deref().and_then(group_of_hs_code)
                && group != n
            {
                return Err(reject(
                    "product",
                    format!(
                        "`{}` contradicts hs_code {}, which is in `{group}`; leave product empty \
                         or give `{group}`",
                        fields::shorten(n),
                        hs.as_deref().unwrap_or_default()
                    ),
                ));
            }
        }
        let product = match (&hs, named) {
            (_, Some(n)) => Some(n),
            (Some(h), None) => group_of_hs_code(h).map(str::to_string),
            (None, None) => {
                return Err(reject(
                    "hs_code",
                    "neither an HS code nor a product name".into(),
                ));
            }
        };
        let quantity = fields::number(rec, self.quantity, "quantity_t")?;
        let value = fields::number(rec, self.value, "value_usd")?;
        if quantity.is_none() && value.is_none() {
            return Err(reject(
                "quantity_t",
                "neither quantity_t nor value_usd given".into(),
            ));
        }
        // Each check names its own cell: one message for both sent the user to
        // `quantity_t` when the minus sign was in `value_usd`.
        if let Some(q) = quantity.filter(|q| *q < 0.0) {
            return Err(reject("quantity_t", format!("negative quantity: `{q}`")));
        }
        if let Some(v) = value.filter(|v| *v < 0.0) {
            return Err(reject("value_usd", format!("negative value: `{v}`")));
        }
        Ok(Row::Record(TradeRecord {
            period_type,
            hs_code: hs,
            product,
            quantity_t: quantity,
            value_usd: value,
            ..TradeRecord::blank(period, reporter, partner, flow)
        }))
    }
}

/// The columns a tidy file may have.
const KNOWN: [&str; 9] = [
    "period",
    "period_type",
    "reporter_iso3",
    "partner_iso3",
    "flow",
    "hs_code",
    "product",
    "quantity_t",
    "value_usd",
];

/// Refuses a header naming a column twice or a column the format does not know. Why: a
/// misspelt column (`qty` for `quantity_t`) was dropped without a word and its figures
/// lost, and of a repeated one only the first was read. Empty names (a comma ending the
/// header line) are allowed; a value under them is refused line by line as an extra cell.
fn check_header(path: &Path, header: &[String]) -> Result<(), StoreError> {
    let refuse = |k: usize, column: &str, reason: String| StoreError::BadRow {
        path: path.to_path_buf(),
        line: 1,
        column: Some(column.to_string()),
        field: Some(k + 1),
        reason,
    };
    fields::check_unique(path, header)?;
    for (k, name) in header.iter().enumerate() {
        if name.is_empty() {
            continue;
        }
        if !KNOWN.contains(&name.as_str()) {
            return Err(refuse(
                k,
                name,
                format!(
                    "unknown column `{}` in a tidy file, whose columns are {}; rename it \
                     (e.g. `qty` to `quantity_t`) or remove it",
                    fields::shorten(name),
                    KNOWN.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(h: &str) -> Columns {
        let header: Vec<String> = h.split(',').map(str::to_string).collect();
        Columns::new(Path::new("t.csv"), &header).unwrap()
    }

    #[test]
    fn product_rows_are_aggregates_and_hs_rows_get_their_group() {
        let c = cols("period,reporter_iso3,partner_iso3,flow,hs_code,product,quantity_t,value_usd");
        let Row::Record(r) = c.parse(&csv::ByteRecord::from(vec![
            "2025-01..2025-02",
            "chn",
            "WLD",
            "export",
            "",
            "rare earths",
            "8511",
            "",
        ])) else {
            panic!()
        };
        assert_eq!(r.period_type, PeriodType::JanFeb);
        assert_eq!(r.product.as_deref(), Some("rare-earths"));
        assert_eq!(r.reporter_iso3, "CHN");
        let Row::Record(r) = c.parse(&csv::ByteRecord::from(vec![
            "2025-05", "CHN", "USA", "export", "850511", "", "46", "",
        ])) else {
            panic!()
        };
        assert_eq!(r.product.as_deref(), Some("magnets"));
        assert!(matches!(
            c.parse(&csv::ByteRecord::from(vec![
                "2025-13", "CHN", "USA", "export", "850511", "", "46", ""
            ])),
            Row::Reject { .. }
        ));
    }

    /// A product that is really an HS code, or that contradicts the code's group, is
    /// refused at `product` (stored, no query reached the first, and the second filed
    /// magnets as gallium); the code's own group, given as the name, passes.
    #[test]
    fn product_names_must_be_names_and_agree_with_their_hs_code() {
        let c = cols("period,reporter_iso3,partner_iso3,flow,hs_code,product,quantity_t");
        let row = |hs: &str, product: &str| {
            c.parse(&csv::ByteRecord::from(vec![
                "2025-05", "CHN", "USA", "export", hs, product, "10",
            ]))
        };
        let refused = |row: Row, says: &str| {
            assert!(
                matches!(row, Row::Reject { column: Some(ref col), ref reason } if col == "product" && reason.contains(says)),
                "{row:?}"
            )
        };
        refused(row("", "850511"), "looks like an HS code");
        assert!(matches!(row("", "3d-printing-powder"), Row::Record(_)));
        refused(
            row("850511", "gallium"),
            "contradicts hs_code 850511, which is in `magnets`",
        );
        assert!(matches!(row("850511", "magnets"), Row::Record(_)));
        assert!(matches!(row("", "gallium"), Row::Record(_)));
    }

    /// A negative figure is reported at its own column, not always at `quantity_t`.
    #[test]
    fn a_negative_cell_is_named_by_its_column() {
        let c = cols("period,reporter_iso3,partner_iso3,flow,hs_code,quantity_t,value_usd");
        let row = |q: &str, v: &str| {
            c.parse(&csv::ByteRecord::from(vec![
                "2023", "DEU", "CHN", "import", "850511", q, v,
            ]))
        };
        for (q, v, column, reason) in [
            ("5", "-100", "value_usd", "negative value: `-100`"),
            ("-5", "100", "quantity_t", "negative quantity: `-5`"),
            ("", "-1", "value_usd", "negative value: `-1`"),
        ] {
            match row(q, v) {
                Row::Reject {
                    column: c,
                    reason: r,
                } => {
                    assert_eq!(c.as_deref(), Some(column), "{q},{v}");
                    assert_eq!(r, reason, "{q},{v}");
                }
                other => panic!("{q},{v}: {other:?}"),
            }
        }
    }

    #[test]
    fn header_without_hs_or_product_is_refused() {
        let header: Vec<String> = "period,reporter_iso3,partner_iso3,flow,quantity_t"
            .split(',')
            .map(str::to_string)
            .collect();
        assert!(Columns::new(Path::new("t.csv"), &header).is_err());
    }

    /// A declared year to date is stored as one (not as combined months of the series), and
    /// a type that does not fit its period is refused at its cell.
    #[test]
    fn a_period_type_column_declares_year_to_date_rows() {
        let c = cols("period,period_type,reporter_iso3,partner_iso3,flow,hs_code,quantity_t");
        let row = |period: &str, t: &str| {
            c.parse(&csv::ByteRecord::from(vec![
                period, t, "KOR", "WLD", "import", "850511", "40",
            ]))
        };
        let Row::Record(r) = row("2025-01..2025-03", "YTD") else {
            panic!()
        };
        assert_eq!(r.period_type, PeriodType::Ytd);
        let Row::Record(r) = row("2025-01..2025-03", "") else {
            panic!()
        };
        assert_eq!(r.period_type, PeriodType::Months);
        for (period, t) in [
            ("2025-02..2025-03", "ytd"),
            ("2025-01", "ytd"),
            ("2025-01..2025-03", "jan_feb"),
            ("2025", "month"),
            ("2025-01", "quarter"),
        ] {
            match row(period, t) {
                Row::Reject { column, reason } => {
                    assert_eq!(column.as_deref(), Some("period_type"), "{period} {t}");
                    assert!(reason.contains("period_type"), "{period} {t}: {reason}");
                }
                other => panic!("{period} {t}: {other:?}"),
            }
        }
    }

    /// F9: `qty` for `quantity_t` was dropped silently with its figures.
    #[test]
    fn unknown_and_repeated_columns_are_refused_with_the_known_ones() {
        let h = |t: &str| t.split(',').map(String::from).collect::<Vec<_>>();
        let path = Path::new("t.csv");
        let e = Columns::new(
            path,
            &h("period,reporter_iso3,partner_iso3,flow,hs_code,qty,value_usd"),
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.starts_with("t.csv:1: unknown column `qty`"), "{e}");
        assert!(e.contains("quantity_t, value_usd"), "{e}");
        let e = Columns::new(
            path,
            &h("period,reporter_iso3,partner_iso3,flow,hs_code,quantity_t,value_usd,quantity_t"),
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("`quantity_t` appears twice"), "{e}");
        assert!(
            Columns::new(
                path,
                &h("period,reporter_iso3,partner_iso3,flow,hs_code,quantity_t,value_usd,")
            )
            .is_ok()
        );
    }

    /// Adversarial review: a value under a column without a name (`a,,b` in the header,
    /// or a comma ending it) was dropped while the line's other figures were stored.
    #[test]
    fn a_value_in_a_column_without_a_name_is_refused() {
        let c = cols("period,reporter_iso3,,partner_iso3,flow,hs_code,quantity_t");
        let row = |line: &str| {
            let mut r = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(line.as_bytes());
            let mut rec = csv::ByteRecord::new();
            r.read_byte_record(&mut rec).unwrap();
            c.parse(&rec)
        };
        assert!(matches!(
            row("2025-01,CHN,,USA,export,850511,10"),
            Row::Record(_)
        ));
        assert!(matches!(
            row("2025-01,CHN,999,USA,export,850511,10"),
            Row::Reject { ref reason, .. } if reason.starts_with("a value (`999`) in column 3, which has no name")
        ));
        // A country's trade with itself is no flow; the world is no reporter.
        assert!(matches!(
            row("2025-01,CHN,,CHN,export,850511,10"),
            Row::Reject { ref reason, .. } if reason.contains("both CHN")
        ));
        assert!(matches!(
            row("2025-01,WLD,,CHN,export,850511,10"),
            Row::Reject { column: Some(ref c), .. } if c == "reporter_iso3"
        ));
        // And a one-digit HS code is no code (it was padded to chapter 08).
        assert!(matches!(
            row("2025-01,CHN,,USA,export,8,10"),
            Row::Reject { ref reason, .. } if reason.contains("is one digit")
        ));
    }
}
