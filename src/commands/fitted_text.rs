//! The fitted scenario as text: `calibrate`'s approval share and delay written into the
//! scenario's first export control, every comment and other line kept.

/// Replaces `approval_share` and `delay_days` in the first `[[export_control]]` block,
/// keeping every comment and other line.
pub(super) fn rewrite_first_control(text: &str, approval: f64, delay: usize) -> Option<String> {
    let mut out = Vec::new();
    let mut state = 0; // 0 before, 1 inside the first control, 2 after
    let (mut put_a, mut put_d) = (false, false);
    // Missing keys go after the block's last non-blank line.
    let finish = |out: &mut Vec<String>, put_a: &mut bool, put_d: &mut bool| {
        let mut at = out.len();
        while at > 0 && out[at - 1].trim().is_empty() {
            at -= 1;
        }
        if !*put_d {
            out.insert(at, format!("delay_days = {delay}"));
            *put_d = true;
        }
        if !*put_a {
            out.insert(at, format!("approval_share = {approval:.2}"));
            *put_a = true;
        }
    };
    for line in text.lines() {
        let trimmed = line.trim_start();
        if state == 1 && trimmed.starts_with('[') {
            finish(&mut out, &mut put_a, &mut put_d);
            state = 2;
        }
        if state == 0 && trimmed.starts_with("[[export_control]]") {
            state = 1;
        } else if state == 1 && trimmed.starts_with("approval_share") {
            out.push(format!("approval_share = {approval:.2}"));
            put_a = true;
            continue;
        } else if state == 1 && trimmed.starts_with("delay_days") {
            out.push(format!("delay_days = {delay}"));
            put_d = true;
            continue;
        }
        out.push(line.to_string());
    }
    match state {
        0 => None,
        1 => {
            finish(&mut out, &mut put_a, &mut put_d);
            Some(out.join("\n") + "\n")
        }
        _ => Some(out.join("\n") + "\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrite_keeps_comments_and_replaces_the_first_control_only() {
        let text = "# c\n[[export_control]]\nname = \"a\"\napproval_share = 0.3\n\n[[export_control]]\nname = \"b\"\napproval_share = 0.9\n";
        let out = rewrite_first_control(text, 0.42, 17).unwrap();
        assert!(out.starts_with("# c\n"));
        assert!(out.contains("approval_share = 0.42\n"));
        assert!(out.contains("delay_days = 17\n\n[[export_control]]"));
        assert!(out.contains("approval_share = 0.9"));
    }
}
