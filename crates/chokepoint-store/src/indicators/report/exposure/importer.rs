//! The importer of an exposure report: an ISO-3 country code or the EU, never a partner
//! group that stands for no importer.

use crate::ArgumentError;
use crate::indicators::exposure::Importer;

/// Parses an importer: an ISO-3 country code (any case) or `EU`.
pub fn parse_importer(text: &str) -> Result<Importer, ArgumentError> {
    importer_unless_group(text, &[])
}

/// [`parse_importer`] for a region of the simulated chain (`exposure --after`), where
/// `ROW`, the rest of the world, is a region that imports like any other.
pub fn parse_chain_importer(text: &str) -> Result<Importer, ArgumentError> {
    importer_unless_group(text, &["ROW"])
}

fn importer_unless_group(text: &str, regions: &[&str]) -> Result<Importer, ArgumentError> {
    let t = text.trim();
    let ok = t.eq_ignore_ascii_case("eu") || t.parse::<chokepoint_model::Iso3>().is_ok();
    if !ok {
        return Err(ArgumentError::Importer {
            found: text.to_string(),
        });
    }
    // The world total and the remainder groups are partners, never importers: WLD read
    // China's exports to the world as "the world's imports", 100 % from China.
    let code = t.to_ascii_uppercase();
    if code != "EUU"
        && !regions.contains(&code.as_str())
        && let Some(name) = chokepoint_model::group_name(&code)
    {
        return Err(ArgumentError::ImporterGroup { code, name });
    }
    Ok(Importer::parse(t))
}
