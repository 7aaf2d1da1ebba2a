//! The notes of a monitor response as headers: what the CLI prints to stderr beside its
//! JSON (a year without an annual total, sources that differ, no rows at all), in the API's
//! words, one `Chokepoint-Note` header each and all of them as one JSON array in
//! `Chokepoint-Notes` (a browser joins repeated headers with ", ", which the notes contain).

use axum::http::{HeaderMap, HeaderName, HeaderValue};

/// Response header carrying one note the CLI prints to stderr (a year without an annual
/// total under `freq=A`); repeated once per note.
pub const NOTE_HEADER: &str = "chokepoint-note";

/// Response header carrying every note of the response as one JSON array of strings, in
/// order: a browser joins repeated [`NOTE_HEADER`]s with ", ", and notes contain commas, so
/// those cannot be split again. ASCII only: anything else is written `\uXXXX`, as JSON
/// allows. Sent on every monitor response (`[]` when there is no note).
pub const NOTES_HEADER: &str = "chokepoint-notes";

/// The headers of `notes` (in the API's words, [`api_words`]): one [`NOTE_HEADER`] per note,
/// as before, and one [`NOTES_HEADER`] with all of them.
pub(super) fn note_headers(notes: impl IntoIterator<Item = String>) -> HeaderMap {
    let notes: Vec<String> = notes.into_iter().map(|n| api_words(&n)).collect();
    let mut headers = HeaderMap::new();
    for note in &notes {
        headers.append(HeaderName::from_static(NOTE_HEADER), header_text(note));
    }
    headers.insert(HeaderName::from_static(NOTES_HEADER), json_header(&notes));
    headers
}

/// `notes` as a JSON array in visible ASCII: serde_json escapes control characters, and
/// every other character outside visible ASCII becomes `\uXXXX` (UTF-16 units, so a
/// character past the BMP is a surrogate pair), which any JSON parser reads back.
fn json_header(notes: &[String]) -> HeaderValue {
    let json = serde_json::to_string(notes).unwrap_or_else(|_| "[]".into());
    let mut ascii = String::with_capacity(json.len());
    let mut units = [0_u16; 2];
    for c in json.chars() {
        if c == ' ' || c.is_ascii_graphic() {
            ascii.push(c);
        } else {
            for u in c.encode_utf16(&mut units) {
                ascii.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    // Only visible ASCII and spaces are left; the fallback is unreachable.
    HeaderValue::from_str(&ascii).unwrap_or_else(|_| HeaderValue::from_static("[]"))
}

/// A note's CLI flags in the words of the API: "`--source tidy`" is "`source=tidy`",
/// "`--source`" alone is "`source=<source>`", and "`trends --freq A`" is
/// "`/api/trends?freq=A`". Only spans in backquotes that are flags (optionally after a
/// command name) are rewritten.
pub fn api_words(note: &str) -> String {
    let parts: Vec<&str> = note.split('`').collect();
    let mut out = String::with_capacity(note.len());
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push('`');
        }
        // Odd parts are inside backquotes (a trailing unmatched quote leaves its text as is).
        let quoted = i % 2 == 1 && i + 1 < parts.len();
        match quoted.then(|| flags_as_query(part)).flatten() {
            Some(query) => out.push_str(&query),
            None => out.push_str(part),
        }
    }
    out
}

/// "--source tidy" -> "source=tidy"; "trends --freq A" -> "/api/trends?freq=A"; `None` for
/// anything that is not flags.
fn flags_as_query(span: &str) -> Option<String> {
    let words: Vec<&str> = span.split_whitespace().collect();
    let (command, flags) = match words.first() {
        Some(w) if w.starts_with("--") => (None, &words[..]),
        Some(w) if words.get(1).is_some_and(|f| f.starts_with("--")) => (Some(*w), &words[1..]),
        _ => return None,
    };
    let mut params = Vec::new();
    let mut rest = flags.iter().peekable();
    while let Some(flag) = rest.next() {
        let name = flag.strip_prefix("--").filter(|n| !n.is_empty())?;
        match rest.next_if(|v| !v.starts_with("--")) {
            Some(value) => params.push(format!("{name}={value}")),
            None => params.push(format!("{name}=<{name}>")),
        }
    }
    let query = params.join("&");
    Some(match command {
        Some(c) => format!("/api/{c}?{query}"),
        None => query,
    })
}

/// `text` as a header value. Header values are visible ASCII; anything else (the notes are
/// ASCII today, but they are prose) is written as `\u{..}` rather than failing the request.
fn header_text(text: &str) -> HeaderValue {
    let ascii: String = text
        .chars()
        .map(|c| {
            if c == ' ' || c.is_ascii_graphic() {
                c.to_string()
            } else {
                format!("\\u{{{:x}}}", u32::from(c))
            }
        })
        .collect();
    // Only visible ASCII and spaces are left, which HeaderValue always accepts; the
    // fallback is unreachable but keeps the request path free of panics.
    HeaderValue::from_str(&ascii).unwrap_or_else(|_| HeaderValue::from_static("unprintable note"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_flags_in_notes_read_as_query_parameters() {
        assert_eq!(
            api_words(
                "the change may be the sources' difference; `--source tidy` keeps to one source"
            ),
            "the change may be the sources' difference; `source=tidy` keeps to one source"
        );
        assert_eq!(
            api_words("may differ in coverage; `--source` keeps to one"),
            "may differ in coverage; `source=<source>` keeps to one"
        );
        assert_eq!(
            api_words("`trends --freq A` shows the years"),
            "`/api/trends?freq=A` shows the years"
        );
        // Not flags, or an unmatched quote: left as they are.
        for text in [
            "`chokepoint sources` lists",
            "a `SELECT 1` query",
            "odd `--source",
        ] {
            assert_eq!(api_words(text), text);
        }
    }

    #[test]
    fn the_notes_header_is_ascii_json_that_reads_back() {
        let notes = vec![
            "a, b: \"quoted\"".to_string(),
            "Ümlaut → 𝔸\ttab".to_string(),
        ];
        let value = json_header(&notes);
        let text = value.to_str().expect("visible ASCII");
        assert!(text.is_ascii(), "{text}");
        assert!(
            text.contains("\\u00dc") && text.contains("\\ud835\\udd38"),
            "{text}"
        );
        let back: Vec<String> = serde_json::from_str(text).unwrap();
        assert_eq!(back, notes);
        assert_eq!(json_header(&[]).to_str().unwrap(), "[]");
    }
}
