//! Bad arguments of the indicator commands, worded for where they were typed (flags or URL
//! query).

/// How an argument is written where the user typed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgumentSyntax {
    /// Command-line flags: `--source usgs`.
    Cli,
    /// URL query parameters: `source=usgs`.
    Query,
}

impl ArgumentSyntax {
    /// `name` (and `value`) as the user would write them.
    pub fn show(self, name: &str, value: Option<&str>) -> String {
        match (self, value) {
            (ArgumentSyntax::Cli, None) => format!("--{name}"),
            (ArgumentSyntax::Cli, Some(v)) => format!("--{name} {v}"),
            (ArgumentSyntax::Query, None) => name.to_string(),
            (ArgumentSyntax::Query, Some(v)) => format!("{name}={v}"),
        }
    }
}

/// A bad argument of `shares`, `exposure` or `criticality`, whichever way it was given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error("{}", self.message(ArgumentSyntax::Cli))]
pub enum ArgumentError {
    /// An edition was given for a source that has no editions.
    EditionNeedsUsgs,
    /// No USGS edition holds the year.
    UnknownEdition {
        /// The edition asked for.
        edition: String,
        /// The data year.
        year: i32,
        /// Editions that hold the year.
        available: Vec<String>,
    },
    /// The importer is neither an ISO-3 code nor `EU`.
    Importer {
        /// The text given.
        found: String,
    },
    /// The importer is a group code that stands for no importer (`WLD`, `ROW`, `OTH`).
    ImporterGroup {
        /// The code given, upper-cased.
        code: String,
        /// What it stands for ("World").
        name: &'static str,
    },
    /// A month range whose start is after its end.
    ReversedMonths {
        /// The first month given.
        from: String,
        /// The last month given.
        to: String,
    },
    /// An anomaly threshold that is not a positive, finite percentage.
    Threshold {
        /// The value given.
        found: String,
    },
    /// A country code that ISO 3166-1 does not list and no stored trade row names: a typo
    /// (`CNH`, `EUR`) gave an empty table or world-share proxies, exit 0 (policy review).
    UnknownCode {
        /// The argument (`reporter`, `partner`, `importer`).
        argument: &'static str,
        /// The code given, upper-cased.
        code: String,
        /// Stored codes one edit away, nearest first.
        near: Vec<String>,
    },
}

impl ArgumentError {
    /// `code` refused as `argument` when the data hold it nowhere (`known`: the codes they
    /// hold), naming those one edit away (a substitution, an insertion, a deletion or two
    /// neighbours swapped: `CNH` → `CHN`); `None` when `known` has it.
    pub fn unknown_code(
        argument: &'static str,
        code: &str,
        known: impl IntoIterator<Item = String>,
    ) -> Option<ArgumentError> {
        let mut near = Vec::new();
        for k in known {
            if k == code {
                return None;
            }
            if strsim::damerau_levenshtein(&k, code) <= 1 {
                near.push(k);
            }
        }
        near.sort();
        near.dedup();
        Some(ArgumentError::UnknownCode {
            argument,
            code: code.to_string(),
            near,
        })
    }

    /// The argument at fault, without dashes (`edition`, `importer`).
    pub fn argument(&self) -> &'static str {
        match self {
            ArgumentError::EditionNeedsUsgs | ArgumentError::UnknownEdition { .. } => "edition",
            ArgumentError::Importer { .. } | ArgumentError::ImporterGroup { .. } => "importer",
            ArgumentError::Threshold { .. } => "threshold",
            ArgumentError::ReversedMonths { .. } => "from",
            ArgumentError::UnknownCode { argument, .. } => argument,
        }
    }

    /// What is wrong and how to fix it, naming arguments in `syntax`.
    pub fn message(&self, syntax: ArgumentSyntax) -> String {
        match self {
            ArgumentError::EditionNeedsUsgs => format!(
                "{} selects a USGS Mineral Commodity Summaries edition; use it with {} (or \
                 leave {} out for mining)",
                syntax.show("edition", None),
                syntax.show("source", Some("usgs")),
                syntax.show("source", None),
            ),
            ArgumentError::UnknownEdition {
                edition,
                year,
                available,
            } => format!(
                "no USGS edition {edition} holds mine production for {year}; editions with \
                 {year}: {}",
                if available.is_empty() {
                    "none".to_string()
                } else {
                    available.join(", ")
                }
            ),
            ArgumentError::Importer { found } => format!(
                "{} {found:?} is not an ISO-3 country code (USA, JPN, DEU) or EU",
                syntax.show("importer", None)
            ),
            ArgumentError::ImporterGroup { code, name } => format!(
                "{} {code} is the {name} partner code of the customs sources, not an \
                 importer: give a country (USA, JPN, DEU) or EU",
                syntax.show("importer", None)
            ),
            ArgumentError::ReversedMonths { from, to } => format!(
                "{} is after {}; give the earlier month first",
                syntax.show("from", Some(from)),
                syntax.show("to", Some(to))
            ),
            ArgumentError::Threshold { found } => format!(
                "{} must be a positive percentage (e.g. 30), got {found}",
                syntax.show("threshold", None)
            ),
            ArgumentError::UnknownCode {
                argument,
                code,
                near,
            } => format!(
                "{} is not an ISO 3166-1 country code and no stored trade row names it{}: \
                 give an ISO-3 code (China CHN, Japan JPN; the EU is EUU as a partner, EU as \
                 an importer); `chokepoint sql \"SELECT DISTINCT reporter_iso3, partner_iso3 \
                 FROM trade\"` lists the stored codes",
                syntax.show(argument, Some(code)),
                if near.is_empty() {
                    String::new()
                } else {
                    format!(" (did you mean {}?)", near.join(" or "))
                }
            ),
        }
    }
}
