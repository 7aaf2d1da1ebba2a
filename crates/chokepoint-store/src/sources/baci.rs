//! CEPII BACI CSV: `t,i,j,k,v,q` = year, exporter and importer numeric codes, HS6
//! product, value in thousand USD, quantity in tonnes; with BACI's country-codes file.
//!
//! BACI reconciles both sides' declarations into one figure per exporter → importer, so
//! each line is stored twice: as the exporter's export and as the importer's import (source
//! `baci`), so that both `--flow export --reporter <exporter>` and `--flow import
//! --reporter <importer>` find it. There are no World rows: world totals are sums over
//! partners.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chokepoint_model::{Flow, Period};

use super::fields::{self, reject};
use super::split::Cells;
use super::{Row, RowError};
use crate::StoreError;
use crate::products::group_of_hs_code;
use crate::schema::TradeRecord;

const FORMAT: &str = "baci";

/// Column positions of a BACI header plus the country-code table.
pub struct Columns {
    t: usize,
    i: usize,
    j: usize,
    k: usize,
    v: usize,
    q: Option<usize>,
    countries: HashMap<u32, String>,
    /// Codes the country-codes file lists without a usable ISO3, with where ("file:line
    /// (`N/A`)"): a row using one is refused naming that line, not as a code missing from
    /// the file (adversarial review).
    without_iso: HashMap<u32, String>,
    /// The country-codes file read.
    countries_file: PathBuf,
    /// Cells in the header (every line has as many).
    width: usize,
}

impl Columns {
    /// Locates the columns, then finds (`countries`) and reads the country-codes file: a
    /// file that is not BACI is told about its header, not about a missing codes file.
    pub fn new(
        path: &Path,
        header: &[String],
        countries: impl FnOnce() -> Result<PathBuf, StoreError>,
    ) -> Result<Columns, StoreError> {
        fields::check_unique(path, header)?;
        let req = |n: &str| fields::required(path, header, FORMAT, n);
        let (t, i, j, k, v) = (req("t")?, req("i")?, req("j")?, req("k")?, req("v")?);
        let countries_file = countries()?;
        let (countries, without_iso) = read_countries(&countries_file)?;
        Ok(Columns {
            t,
            i,
            j,
            k,
            v,
            q: fields::optional(header, "q"),
            countries,
            without_iso,
            countries_file,
            width: header.len(),
        })
    }

    /// The country-codes file read.
    pub fn countries_file(&self) -> &Path {
        &self.countries_file
    }

    /// Maps one data line to the exporter's export and the importer's import.
    pub fn parse(&self, rec: &impl Cells) -> Row {
        self.try_parse(rec).unwrap_or_else(Row::from)
    }

    fn country(&self, rec: &impl Cells, i: usize, col: &str) -> Result<String, RowError> {
        let t = fields::text(rec, i, col)?;
        let code: u32 = t.parse().map_err(|_| {
            reject(
                col,
                format!("not a country code number: `{}`", fields::shorten(t)),
            )
        })?;
        self.countries
            .get(&code)
            .cloned()
            .ok_or_else(|| match self.without_iso.get(&code) {
                Some(at) => reject(
                    col,
                    format!(
                        "country code {code} has no ISO3 code in the country-codes file ({at}): \
                     give it one there, or leave its rows out"
                    ),
                ),
                None => reject(
                    col,
                    format!("country code {code} is not in the country-codes file"),
                ),
            })
    }

    fn try_parse(&self, rec: &impl Cells) -> Result<Row, RowError> {
        fields::check_width(rec, self.width, true)?;
        let year_text = fields::text(rec, self.t, "t")?;
        let year = match chokepoint_model::parse_year(year_text) {
            Some(y) => y,
            None => {
                return Err(reject(
                    "t",
                    format!("not a year: `{}`", fields::shorten(year_text)),
                ));
            }
        };
        let exporter = self.country(rec, self.i, "i")?;
        let importer = self.country(rec, self.j, "j")?;
        // A country's trade with itself is no flow, and it was stored twice (the line and
        // its mirror; adversarial review).
        if exporter == importer {
            return Err(reject(
                "j",
                format!("exporter and importer are both {exporter}: correct one of the codes"),
            ));
        }
        let k = fields::text(rec, self.k, "k")?;
        if chokepoint_model::is_decimal_artefact(k) {
            // The same refusal and hint as the other readers and `--product` give.
            let e = chokepoint_model::ModelError::HsDecimal {
                found: k.to_string(),
            };
            return Err(reject("k", e.to_string()));
        }
        // Five digits are a chapter 01-09 code that lost its leading zero; four or fewer are
        // no HS6 code (padded, 2846 became a chapter-00 line no query reaches).
        if !(5..=6).contains(&k.len()) || !k.bytes().all(|b| b.is_ascii_digit()) {
            return Err(reject(
                "k",
                format!(
                    "not an HS6 code: `{}` (BACI's k has six digits, five for chapters 01-09)",
                    fields::shorten(k)
                ),
            ));
        }
        // BACI writes HS6 as a number, so codes of chapters 01-09 lose their leading zero.
        let hs = format!("{k:0>6}");
        let value = fields::number(rec, Some(self.v), "v")?
            .ok_or_else(|| reject("v", "empty value".into()))?;
        let quantity = fields::number(rec, self.q, "q")?;
        // Each check names its own column (`q` was reported as `v`).
        if value < 0.0 {
            return Err(reject("v", format!("negative value: `{value}`")));
        }
        if let Some(q) = quantity.filter(|q| *q < 0.0) {
            return Err(reject("q", format!("negative quantity: `{q}`")));
        }
        let product = group_of_hs_code(&hs).map(str::to_string);
        let record = |reporter: &str, partner: &str, flow: Flow| TradeRecord {
            hs_code: Some(hs.clone()),
            product: product.clone(),
            quantity_t: quantity,
            value_usd: Some(value * 1000.0),
            ..TradeRecord::blank(
                Period::Year(year),
                reporter.to_string(),
                partner.to_string(),
                flow,
            )
        };
        Ok(Row::Pair(Box::new((
            record(&exporter, &importer, Flow::Export),
            record(&importer, &exporter, Flow::Import),
        ))))
    }
}

/// Reads BACI's `country_codes_V*.csv` (either the 2024+ layout `country_code,…,
/// country_iso3` or the older `…,iso_3digit_alpha`).
/// Returns the codes with their ISO3, and the codes listed without a usable one with
/// where ("file:line (`N/A`)").
type Countries = (HashMap<u32, String>, HashMap<u32, String>);

fn read_countries(path: &Path) -> Result<Countries, StoreError> {
    // Read as the small file it is (about 240 lines): `/dev/zero` grew without bound and a
    // pipe waited forever. A pipe or a device is refused as a data file is.
    super::head::check_is_file(path)?;
    let text = chokepoint_model::read_small_text(path).map_err(|source| StoreError::ReadFile {
        path: path.to_path_buf(),
        source,
    })?;
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = r
        .headers()
        .map_err(|e| StoreError::BadRow {
            path: path.to_path_buf(),
            line: 1,
            column: None,
            field: None,
            reason: e.to_string(),
        })?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let code = fields::required(path, &header, "BACI country-codes", "country_code")?;
    let iso = fields::optional(&header, "country_iso3")
        .or_else(|| fields::optional(&header, "iso_3digit_alpha"))
        .ok_or_else(|| StoreError::MissingColumn {
            path: path.to_path_buf(),
            format: "BACI country-codes",
            column: "country_iso3 (or iso_3digit_alpha)".into(),
        })?;
    let mut map = HashMap::new();
    let mut without_iso = HashMap::new();
    for (n, rec) in r.records().enumerate() {
        let line = n as u64 + 2;
        let rec = rec.map_err(|e| StoreError::BadRow {
            path: path.to_path_buf(),
            line,
            column: None,
            field: None,
            reason: e.to_string(),
        })?;
        let c = rec.get(code).unwrap_or("").trim();
        let i = rec.get(iso).unwrap_or("").trim();
        let Ok(c) = c.parse::<u32>() else {
            return Err(StoreError::BadRow {
                path: path.to_path_buf(),
                line,
                column: Some("country_code".into()),
                field: None,
                reason: format!("not a number: `{c}`"),
            });
        };
        // BACI's own codes for areas n.e.s. (S19) are kept; entries without any code
        // (e.g. "N/A") stay unknown: rows using them are
        // rejected with a clear reason instead of being stored under a made-up code.
        let Ok(code) = i.parse::<chokepoint_model::Iso3>() else {
            let written = if i.is_empty() {
                "empty".to_string()
            } else {
                format!("`{}`", fields::shorten(i))
            };
            without_iso.insert(c, format!("{}:{line}, {written}", path.display()));
            continue;
        };
        if let Some(earlier) = map.insert(c, code.as_str().to_string())
            && earlier != code.as_str()
        {
            // One code, two countries: whichever came last took the trade.
            return Err(StoreError::BadRow {
                path: path.to_path_buf(),
                line,
                column: Some("country_code".into()),
                field: None,
                reason: format!(
                    "code {c} is listed again, as {code} after {earlier}; keep one line per code"
                ),
            });
        }
    }
    // A code listed with an ISO3 on another line is known.
    without_iso.retain(|c, _| !map.contains_key(c));
    Ok((map, without_iso))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the ingest review found resolved without a word, refused with its place: a
    /// code listed as two countries, a repeated header column, a `k` of four digits, and
    /// a countries file that is a device.
    #[test]
    fn ambiguous_codes_columns_and_short_hs_codes_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let cc = dir.path().join("country_codes_V1.csv");
        std::fs::write(
            &cc,
            "country_code,country_iso3\n156,CHN\n392,JPN\n392,KOR\n",
        )
        .unwrap();
        let header: Vec<String> = "t,i,j,k,v,q".split(',').map(str::to_string).collect();
        let e = Columns::new(Path::new("b.csv"), &header, || Ok(cc.clone()))
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains(":4:") && e.contains("code 392 is listed again, as KOR after JPN"),
            "{e}"
        );
        std::fs::write(
            &cc,
            "country_code,country_iso3\n156,CHN\n392,JPN\n392,JPN\n",
        )
        .unwrap();
        let cols = Columns::new(Path::new("b.csv"), &header, || Ok(cc.clone())).unwrap();
        let rec = csv::ByteRecord::from(vec!["2023", "156", "392", "2846", "1", "2"]);
        assert!(
            matches!(cols.parse(&rec), Row::Reject { column: Some(ref c), ref reason } if c == "k" && reason.contains("not an HS6 code")),
        );
        let twice: Vec<String> = "t,i,j,k,v,q,q".split(',').map(str::to_string).collect();
        let e = Columns::new(Path::new("b.csv"), &twice, || Ok(cc.clone()))
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("b.csv:1:") && e.contains("column `q` appears twice"),
            "{e}"
        );
        let e = Columns::new(Path::new("b.csv"), &header, || Ok("/dev/zero".into()))
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("/dev/zero is a device, not a file"), "{e}");
    }

    #[test]
    fn one_line_becomes_export_and_mirror_import_in_usd_and_tonnes() {
        let dir = tempfile::tempdir().unwrap();
        let cc = dir.path().join("country_codes_V202401.csv");
        std::fs::write(&cc, "country_code,country_name,country_iso2,country_iso3\n156,China,CN,CHN\n392,Japan,JP,JPN\n").unwrap();
        let header: Vec<String> = "t,i,j,k,v,q".split(',').map(str::to_string).collect();
        let cols = Columns::new(Path::new("b.csv"), &header, || Ok(cc.clone())).unwrap();
        let rec = csv::ByteRecord::from(vec!["2023", "156", "392", "850511", "1234.5", "  NA"]);
        let Row::Pair(pair) = cols.parse(&rec) else {
            panic!()
        };
        let (x, m) = *pair;
        assert_eq!(
            (x.reporter_iso3.as_str(), x.partner_iso3.as_str(), x.flow),
            ("CHN", "JPN", Flow::Export)
        );
        assert_eq!((m.reporter_iso3.as_str(), m.flow), ("JPN", Flow::Import));
        assert_eq!(x.value_usd, Some(1_234_500.0));
        assert_eq!(x.quantity_t, None);
        let rec = csv::ByteRecord::from(vec!["2023", "999", "392", "80510", "1", "2"]);
        assert!(matches!(cols.parse(&rec), Row::Reject { .. }));
        // A code listed without an ISO3 is named at its line of the codes file, not as one
        // missing from it (adversarial review); a country with itself is no flow.
        std::fs::write(
            &cc,
            "country_code,country_name,country_iso2,country_iso3\n156,China,CN,\n392,Japan,JP,JPN\n",
        )
        .unwrap();
        let no_iso = Columns::new(Path::new("b.csv"), &header, || Ok(cc.clone())).unwrap();
        let rec = csv::ByteRecord::from(vec!["2023", "156", "392", "850511", "1", "2"]);
        assert!(matches!(no_iso.parse(&rec),
            Row::Reject { ref reason, .. } if reason.contains("country_codes_V202401.csv:2, empty")));
        let rec = csv::ByteRecord::from(vec!["2023", "392", "392", "850511", "1", "2"]);
        assert!(matches!(no_iso.parse(&rec),
            Row::Reject { ref reason, .. } if reason.contains("both JPN")));
        // A negative quantity is reported at `q`, not at `v`.
        let rec = csv::ByteRecord::from(vec!["2023", "156", "392", "850511", "1", "-2"]);
        assert!(
            matches!(cols.parse(&rec), Row::Reject { column: Some(ref c), .. } if c == "q"),
            "{:?}",
            cols.parse(&rec)
        );
        let rec = csv::ByteRecord::from(vec!["2023", "156", "392", "850511", "-1", "2"]);
        assert!(
            matches!(cols.parse(&rec), Row::Reject { column: Some(ref c), .. } if c == "v"),
            "{:?}",
            cols.parse(&rec)
        );
    }
}
