//! Where a dotted key path (`export_control[0].approval_share`) sits in a TOML text, so
//! that errors found after parsing into plain tables can still point at a line and column.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// 1-based line and column of the value at `path` in `text` (segments separated by `.`,
/// an array element as `name[k]`), or of the deepest table on the way that exists (a
/// missing key points at its table). `None` when the text does not parse or not even the
/// first segment is there.
pub(crate) fn locate(text: &str, path: &str) -> Option<(usize, usize)> {
    let doc = DeTable::parse(text).ok()?;
    let root = Spanned::new(doc.span(), DeValue::Table(doc.into_inner()));
    let mut at: &Spanned<DeValue> = &root;
    let mut found = None;
    for segment in path.split('.') {
        let (name, index) = match segment.split_once('[') {
            Some((name, rest)) => (name, Some(rest.strip_suffix(']')?.parse::<usize>().ok()?)),
            None => (segment, None),
        };
        let Some(value) = at.get_ref().get(name) else {
            break;
        };
        at = value;
        found = Some(at.span());
        if let Some(k) = index {
            let Some(element) = at.get_ref().get(k) else {
                break;
            };
            at = element;
            found = Some(at.span());
        }
    }
    found.map(|span| chokepoint_model::line_column(text, span.start))
}

#[cfg(test)]
mod tests {
    use super::locate;

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
        assert_eq!(locate(TEXT, "export_control[x].name"), None);
        assert_eq!(locate("not = [toml", "not"), None);
    }
}
