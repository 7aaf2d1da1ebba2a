//! Text in error messages: positions in a source (file:line:column) and what a message may
//! quote of a value.

/// Line and column (1-based, columns in characters) of byte `offset` in `text`; an offset
/// past the end counts as the end, one inside a character as that character.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let end = (0..=offset.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Cuts long text for messages (40 characters, then `…`), and shows line breaks and tabs as
/// `\n`, `\r`, `\t` so that a value that swallowed lines (an unclosed quote) stays one line
/// of the message.
pub fn shorten(t: &str) -> String {
    let mut out = String::new();
    for (k, c) in t.chars().enumerate() {
        if k == 40 {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_from_one() {
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("ab", 0), (1, 1));
        assert_eq!(line_column("é\nx", 3), (2, 1));
        assert_eq!(line_column("ab", 99), (1, 3));
        assert_eq!(line_column("aé", 2), (1, 2), "inside é: the column of é");
    }
}
