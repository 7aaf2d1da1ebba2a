//! Tidy CSV: `period,reporter_iso3,partner_iso3,flow,hs_code,quantity_t,value_usd`, where
//! `product` may replace (or accompany) `hs_code`.
//!
//! `period` is `YYYY-MM`, `YYYY-MM..YYYY-MM` (combined months, e.g. Jan–Feb) or `YYYY`.
//! A row with a product name and no HS code is an aggregate, reachable as `--product
//! <name>`, like the bundled China-customs series.

use std::path::Path;

use chokepoint_model::{Flow, Period};

use super::fields::{self, reject};
use super::split::Cells;
use super::{Row, RowError};
use crate::StoreError;
use crate::products::group_of_hs_code;
use crate::schema::TradeRecord;

const FORMAT: &str = "tidy";

/// Column positions of a tidy header.
pub struct Columns {
    period: usize,
    reporter: usize,
    partner: usize,
    flow: usize,
    hs_code: Option<usize>,
    product: Option<usize>,
    quantity: Option<usize>,
    value: Option<usize>,
    /// Cells in the header: a line may have fewer (trailing optional cells left out).
    width: usize,
}

impl Columns {
    /// Locates the columns; `hs_code` or `product` must be present, and at least one of
    /// `quantity_t` and `value_usd`.
    pub fn new(path: &Path, header: &[String]) -> Result<Columns, StoreError> {
        let req = |n: &str| fields::required(path, header, FORMAT, n);
        let opt = |n: &str| fields::optional(header, n);
        let c = Columns {
            period: req("period")?,
            reporter: req("reporter_iso3")?,
            partner: req("partner_iso3")?,
            flow: req("flow")?,
            hs_code: opt("hs_code"),
            product: opt("product"),
            quantity: opt("quantity_t"),
            value: opt("value_usd"),
            width: header.len(),
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
        let text = |i: usize, col: &str| fields::text(rec, i, col);
        let p = text(self.period, "period")?;
        let period: Period = p
            .parse()
            .map_err(|e: chokepoint_model::ModelError| reject("period", e.to_string()))?;
        let reporter = fields::country(text(self.reporter, "reporter_iso3")?, "reporter_iso3")?;
        let partner = fields::country(text(self.partner, "partner_iso3")?, "partner_iso3")?;
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
        if quantity.is_some_and(|q| q < 0.0) || value.is_some_and(|v| v < 0.0) {
            return Err(reject("quantity_t", "negative quantity or value".into()));
        }
        Ok(Row::Record(TradeRecord {
            hs_code: hs,
            product,
            quantity_t: quantity,
            value_usd: value,
            ..TradeRecord::blank(period, reporter, partner, flow)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::PeriodType;

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

    #[test]
    fn header_without_hs_or_product_is_refused() {
        let header: Vec<String> = "period,reporter_iso3,partner_iso3,flow,quantity_t"
            .split(',')
            .map(str::to_string)
            .collect();
        assert!(Columns::new(Path::new("t.csv"), &header).is_err());
    }
}
