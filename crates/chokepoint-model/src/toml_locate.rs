//! Where a dotted key path (`export_control[0].approval_share`) sits in a TOML text, so
//! that errors found after parsing into plain tables can still point at a line and column.
//! Here, below the scenario checks (`chokepoint-sim`) and the criticality parameter checks
//! (`chokepoint-store`), so both point at their keys the same way.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// 1-based line and column of the value at `path` in `text` (segments separated by `.`,
/// an array element as `name[k]`), or, when only the last key is missing, of its table (a
/// missing key points at the table that lacks it). A quoted key that itself holds `.` or
/// `[` is matched as written first. `None` when the text does not parse or the path leads
/// nowhere else: no place rather than a wrong one.
pub fn toml_locate(text: &str, path: &str) -> Option<(usize, usize)> {
    let doc = DeTable::parse(text).ok()?;
    let root = Spanned::new(doc.span(), DeValue::Table(doc.into_inner()));
    let segments: Vec<&str> = path.split('.').collect();
    let mut at: &Spanned<DeValue> = &root;
    for (k, segment) in segments.iter().enumerate() {
        // The rest of the path may be one quoted key (`"chain.x" = 1`).
        let rest = segments[k..].join(".");
        if let Some(value) = at.get_ref().get(rest.as_str()) {
            return Some(crate::line_column(text, value.span().start));
        }
        let last = k + 1 == segments.len();
        let (name, index) = match segment.split_once('[') {
            Some((name, tail)) => (name, Some(tail.strip_suffix(']')?.parse::<usize>().ok()?)),
            None => (*segment, None),
        };
        at = match at.get_ref().get(name) {
            Some(value) => value,
            // Only the last key missing: its table.
            None if last && index.is_none() => break,
            None => return None,
        };
        if let Some(i) = index {
            at = at.get_ref().get(i)?;
        }
    }
    Some(crate::line_column(text, at.span().start))
}

/// The key written at `offset` (bare, or quoted with its quotes), where a parse error
/// points but the document cannot be parsed to name it: "duplicate key" says which.
pub fn key_token_at(text: &str, offset: usize) -> Option<&str> {
    let rest = text.get(offset..)?.trim_start_matches([' ', '\t']);
    let end = if let Some(quoted) = rest.strip_prefix('"') {
        quoted.find('"').map(|i| i + 2)?
    } else {
        rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len())
    };
    (end > 0).then(|| &rest[..end])
}

/// The dotted key path (`simulation.steps`, `event[0].duration`) of the key or value at
/// byte `offset` of `text`: the inverse of [`toml_locate`], for errors that a whole-file
/// deserialiser reports with a position but no key. `None` when the text does not parse
/// or no key or value spans the offset.
pub fn toml_key_at(text: &str, offset: usize) -> Option<String> {
    let doc = DeTable::parse(text).ok()?;
    key_in(doc.get_ref(), offset, "")
}

fn key_in(table: &DeTable<'_>, offset: usize, prefix: &str) -> Option<String> {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        if key.span().contains(&offset) {
            return Some(path);
        }
        if let Some(found) = value_in(value, offset, &path) {
            return Some(found);
        }
    }
    None
}

fn value_in(value: &Spanned<DeValue<'_>>, offset: usize, path: &str) -> Option<String> {
    // Children first: a table's or array's own span may cover its elements.
    match value.get_ref() {
        DeValue::Table(t) => {
            if let Some(found) = key_in(t, offset, path) {
                return Some(found);
            }
        }
        DeValue::Array(items) => {
            for (k, item) in items.iter().enumerate() {
                if let Some(found) = value_in(item, offset, &format!("{path}[{k}]")) {
                    return Some(found);
                }
            }
        }
        _ => {}
    }
    value.span().contains(&offset).then(|| path.to_string())
}

#[cfg(test)]
mod tests {
    use super::toml_key_at;
    use super::toml_locate as locate;

    const TEXT: &str = "[chain]\nstart = \"2025-04-01\"\ndays = 365\n\n[[export_control]]\nname = \"a\"\n\n[[export_control]]\nname = \"b\"\napproval_share = { dist = \"triangular\", min = 0.2, mode = 0.4, max = 0.6 }\n";

    #[test]
    fn finds_values_tables_and_array_elements() {
        assert_eq!(locate(TEXT, "chain.days"), Some((3, 8)));
        assert_eq!(
            locate(TEXT, "export_control[1].approval_share"),
            Some((10, 18))
        );
        assert_eq!(
            locate(TEXT, "export_control[1].approval_share.max"),
            Some((10, 70))
        );
        // A missing key points at the deepest table that exists.
        assert_eq!(
            locate(TEXT, "export_control[1].delay_days"),
            locate(TEXT, "export_control[1]")
        );
        assert!(locate(TEXT, "export_control[1]").is_some());
        assert_eq!(locate(TEXT, "nothing.here"), None);
        // No place rather than a wrong one: an index past the end, or into a table.
        assert_eq!(locate(TEXT, "export_control[5].name"), None);
        assert_eq!(locate(TEXT, "chain[0].start"), None);
        assert_eq!(locate(TEXT, "export_control[x].name"), None);
        assert_eq!(locate("not = [toml", "not"), None);
    }

    /// Quoted keys holding `.` or `[` are found as written, not as a path to another key.
    #[test]
    fn quoted_keys_with_dots_are_found_as_written() {
        let text =
            "\"chain.x\" = 1\n[chain]\nstart = 2\n\"start.x\" = 3\n\"export_control[0]\" = 4\n";
        assert_eq!(locate(text, "chain.x"), Some((1, 13)));
        assert_eq!(locate(text, "chain.start.x"), Some((4, 13)));
        assert_eq!(locate(text, "chain.start"), Some((3, 9)));
    }

    /// The key of an error position a whole-file deserialiser reports (F15: ARIO errors
    /// named the key `(file)`).
    #[test]
    fn the_key_at_a_position_is_named_by_its_dotted_path() {
        let text = "[model]\nkind = \"psi\"\nfoo = 1\n[simulation]\nsteps = \"60\"\n\
                    [[event]]\nduration = 5\n[[event]]\nduration = -5\n";
        let at = |needle: &str| text.find(needle).unwrap();
        assert_eq!(toml_key_at(text, at("foo")).as_deref(), Some("model.foo"));
        assert_eq!(
            toml_key_at(text, at("\"60\"")).as_deref(),
            Some("simulation.steps")
        );
        assert_eq!(
            toml_key_at(text, at("-5")).as_deref(),
            Some("event[1].duration")
        );
        assert_eq!(toml_key_at("a = [", 0), None);
    }
}
