//! Scenario texts as the server receives them: the compiled-in library, a JSON body read
//! as the TOML file it mirrors, and the name errors give the text (`request.toml`,
//! `request.json`, or the library name).

use chokepoint_server::runs::ScenarioFormat;
use chokepoint_sim::SimError;

/// The scenario library served at `/api/scenarios`, compiled in so the server needs no
/// checkout: (name, file text).
pub(super) const LIBRARY: &[(&str, &str)] = &[
    (
        "april-2025-controls",
        include_str!("../../scenarios/april-2025-controls.toml"),
    ),
    (
        "geneva-london-truce",
        include_str!("../../scenarios/geneva-london-truce.toml"),
    ),
    (
        "us-only-ban",
        include_str!("../../scenarios/us-only-ban.toml"),
    ),
    (
        "full-magnet-embargo",
        include_str!("../../scenarios/full-magnet-embargo.toml"),
    ),
    (
        "october-2025-package-and-truce",
        include_str!("../../scenarios/october-2025-package-and-truce.toml"),
    ),
];

/// The first comment line of a scenario file, as its title.
pub(super) fn title(text: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix('#').map(str::trim))
        .filter(|l| !l.is_empty())
        .unwrap_or("(untitled)")
        .to_string()
}

/// Source lines of a scenario: comment lines that name a source (a URL or a data file).
pub fn sources(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix('#').map(str::trim))
        .filter(|l| l.contains("://") || l.contains("data/rare-earths"))
        .map(str::to_string)
        .collect()
}

/// Scenario text as TOML: a JSON scenario has the same structure as the file.
pub(super) fn scenario_toml(text: &str, format: ScenarioFormat) -> Result<String, SimError> {
    match format {
        ScenarioFormat::Toml => Ok(text.to_string()),
        ScenarioFormat::Json => {
            let table: toml::Table = serde_json::from_str(text)
                .map_err(|e| SimError::Invalid(format!("scenario JSON: {e}")))?;
            toml::to_string(&table).map_err(|e| SimError::Invalid(format!("scenario JSON: {e}")))
        }
    }
}

/// The library name of a scenario whose text is a library file, else the request's:
/// `request.toml`, or `request.json` for a JSON body.
pub(super) fn scenario_name(text: &str, format: ScenarioFormat) -> String {
    let request = match format {
        ScenarioFormat::Toml => "request.toml",
        ScenarioFormat::Json => "request.json",
    };
    LIBRARY
        .iter()
        .find(|(_, t)| *t == text)
        .map_or_else(|| request.to_string(), |(n, _)| format!("{n}.toml"))
}

/// A scenario error as the client can use it: a JSON body's errors name the key path
/// only (a line and column were of the TOML the server made from it).
pub(super) fn in_body(e: SimError, format: ScenarioFormat) -> SimError {
    match format {
        ScenarioFormat::Toml => e,
        ScenarioFormat::Json => e.without_location(),
    }
}
