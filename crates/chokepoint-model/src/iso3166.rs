//! ISO 3166-1 alpha-3 country codes, to tell a typo (`USB`) from a country at ingest.
//!
//! The 249 codes of ISO 3166-1 as Debian's `iso-codes` 4.15.0 lists them
//! (`/usr/share/iso-codes/json/iso_3166-1.json`), sorted. Sources also use codes outside
//! it on purpose (`S19`, "Other Asia, n.e.s."; `XKX`, Kosovo), so a code not listed is worth
//! a note, never a refusal.

/// The codes, sorted (binary search).
const ALPHA3: [&str; 249] = [
    "ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ARE", "ARG", "ARM", "ASM", "ATA", "ATF",
    "ATG", "AUS", "AUT", "AZE", "BDI", "BEL", "BEN", "BES", "BFA", "BGD", "BGR", "BHR", "BHS",
    "BIH", "BLM", "BLR", "BLZ", "BMU", "BOL", "BRA", "BRB", "BRN", "BTN", "BVT", "BWA", "CAF",
    "CAN", "CCK", "CHE", "CHL", "CHN", "CIV", "CMR", "COD", "COG", "COK", "COL", "COM", "CPV",
    "CRI", "CUB", "CUW", "CXR", "CYM", "CYP", "CZE", "DEU", "DJI", "DMA", "DNK", "DOM", "DZA",
    "ECU", "EGY", "ERI", "ESH", "ESP", "EST", "ETH", "FIN", "FJI", "FLK", "FRA", "FRO", "FSM",
    "GAB", "GBR", "GEO", "GGY", "GHA", "GIB", "GIN", "GLP", "GMB", "GNB", "GNQ", "GRC", "GRD",
    "GRL", "GTM", "GUF", "GUM", "GUY", "HKG", "HMD", "HND", "HRV", "HTI", "HUN", "IDN", "IMN",
    "IND", "IOT", "IRL", "IRN", "IRQ", "ISL", "ISR", "ITA", "JAM", "JEY", "JOR", "JPN", "KAZ",
    "KEN", "KGZ", "KHM", "KIR", "KNA", "KOR", "KWT", "LAO", "LBN", "LBR", "LBY", "LCA", "LIE",
    "LKA", "LSO", "LTU", "LUX", "LVA", "MAC", "MAF", "MAR", "MCO", "MDA", "MDG", "MDV", "MEX",
    "MHL", "MKD", "MLI", "MLT", "MMR", "MNE", "MNG", "MNP", "MOZ", "MRT", "MSR", "MTQ", "MUS",
    "MWI", "MYS", "MYT", "NAM", "NCL", "NER", "NFK", "NGA", "NIC", "NIU", "NLD", "NOR", "NPL",
    "NRU", "NZL", "OMN", "PAK", "PAN", "PCN", "PER", "PHL", "PLW", "PNG", "POL", "PRI", "PRK",
    "PRT", "PRY", "PSE", "PYF", "QAT", "REU", "ROU", "RUS", "RWA", "SAU", "SDN", "SEN", "SGP",
    "SGS", "SHN", "SJM", "SLB", "SLE", "SLV", "SMR", "SOM", "SPM", "SRB", "SSD", "STP", "SUR",
    "SVK", "SVN", "SWE", "SWZ", "SXM", "SYC", "SYR", "TCA", "TCD", "TGO", "THA", "TJK", "TKL",
    "TKM", "TLS", "TON", "TTO", "TUN", "TUR", "TUV", "TWN", "TZA", "UGA", "UKR", "UMI", "URY",
    "USA", "UZB", "VAT", "VCT", "VEN", "VGB", "VIR", "VNM", "VUT", "WLF", "WSM", "YEM", "ZAF",
    "ZMB", "ZWE",
];

/// One bit per three-letter code (26³ of them), set for the codes of [`ALPHA3`]: ingest
/// asks this of every row's reporter and partner, and a binary search over the strings
/// cost a quarter of a 6 M-row ingest.
const BITS: [u64; 275] = {
    let mut bits = [0u64; 275];
    let mut i = 0;
    while i < ALPHA3.len() {
        let b = ALPHA3[i].as_bytes();
        let k = (b[0] - b'A') as usize * 676 + (b[1] - b'A') as usize * 26 + (b[2] - b'A') as usize;
        bits[k / 64] |= 1 << (k % 64);
        i += 1;
    }
    bits
};

/// Whether `code` (upper-case) is an ISO 3166-1 alpha-3 country code.
pub fn is_iso3166_country(code: &str) -> bool {
    match code.as_bytes() {
        &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => {
            let k = (a - b'A') as usize * 676 + (b - b'A') as usize * 26 + (c - b'A') as usize;
            BITS[k / 64] & (1 << (k % 64)) != 0
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_and_knows_countries_from_typos() {
        assert!(ALPHA3.windows(2).all(|w| w[0] < w[1]));
        for c in ["CHN", "USA", "DEU", "TWN", "VNM", "MMR"] {
            assert!(is_iso3166_country(c), "{c}");
        }
        for c in ["USB", "WLD", "EUU", "S19", "usa", "US", "USAA", ""] {
            assert!(!is_iso3166_country(c), "{c}");
        }
        // The bitmap answers as the list does for every three-letter code.
        for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                for c in b'A'..=b'Z' {
                    let code = String::from_utf8(vec![a, b, c]).unwrap();
                    assert_eq!(
                        is_iso3166_country(&code),
                        ALPHA3.binary_search(&code.as_str()).is_ok(),
                        "{code}"
                    );
                }
            }
        }
    }
}
