//! How a real number is written in JSON output, so that the CLI and the HTTP API agree.

/// `value` rounded to `shown` decimals (what a table or CSV shows) plus six, at most 15:
/// enough to recompute every displayed figure, without binary noise such as
/// 24826.700000000004 from the sums behind it.
pub fn json_round(value: f64, shown: usize) -> f64 {
    let decimals = i32::try_from(shown).map_or(15, |d| d.saturating_add(6).min(15));
    let scale = 10f64.powi(decimals);
    // `+ 0.0`: a tiny negative (0.1 + 0.2 against 0.3) rounds to -0.0, printed "-0.0".
    (value * scale).round() / scale + 0.0
}

#[cfg(test)]
mod tests {
    use super::json_round;

    #[test]
    fn a_tiny_negative_rounds_to_a_plain_zero() {
        let z = json_round((0.1 + 0.2) / 0.3 - 1.0 - 1e-17, 1);
        assert_eq!(z, 0.0);
        assert!(z.is_sign_positive());
        assert!(json_round(-1e-14, 1).is_sign_positive());
    }

    #[test]
    fn six_places_beyond_what_is_shown_and_no_noise() {
        assert_eq!(json_round(24_826.700_000_000_004, 1), 24_826.7);
        assert_eq!(json_round(1.234_567_891, 1), 1.234_567_9);
        assert_eq!(json_round(1_234.567_891_2, 0), 1_234.567_891);
        assert_eq!(json_round(0.1 + 0.2, 12), 0.3, "capped at 15 places");
        assert_eq!(json_round(-2.000_000_04, 1), -2.0);
    }
}
