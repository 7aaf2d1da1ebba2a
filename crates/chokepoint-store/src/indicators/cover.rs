//! Which reported figures to add up for a span of months: the one rule behind every total
//! over several months (`trends`' year-to-date and year-earlier totals, `exposure`'s years
//! of trade).
//!
//! Figures are only added, never subtracted (a month is not a difference of two
//! year-to-date totals), and never overlap. Among the sets of figures that fit in the span,
//! in order of preference:
//! 1. the most months covered (a caller that needs every month asks for `whole`);
//! 2. the fewest derived figures: a month the dataset backed out of a growth rate is weaker
//!    than a published total;
//! 3. the fewest figures: a reported cumulative total (January–June, a year) wins over the
//!    months inside it, which describe the same tonnes;
//! 4. then the order the figures were given in.

use std::collections::BTreeMap;

/// One figure: its first month (any month index), its number of months, whether the
/// dataset derived it rather than took it from a source, and whether the caller wants it
/// only where its other figures do not cover (rule 3).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Piece {
    pub start: i64,
    pub len: i64,
    pub derived: bool,
    pub fallback: bool,
}

/// The best cover, by the rule above, with the indices of the chosen pieces in month order.
#[derive(Clone, Debug, Default, PartialEq)]
struct Cover {
    months: i64,
    derived: u32,
    fallback: u32,
    pieces: u32,
    chosen: Vec<usize>,
}

impl Cover {
    /// Whether `self` is preferred to `other`.
    fn beats(&self, other: &Cover) -> bool {
        (self.months, other.derived, other.fallback, other.pieces)
            > (other.months, self.derived, self.fallback, self.pieces)
    }
}

/// The pieces to add up for months `first..=last`, in month order; `None` when no set of
/// pieces covers every month and `whole` asks for all of them (or the span is empty).
/// Pieces reaching outside the span are never used.
pub(super) fn best_cover(
    pieces: &[Piece],
    first: i64,
    last: i64,
    whole: bool,
) -> Option<Vec<usize>> {
    let n = usize::try_from(last.checked_sub(first)?.checked_add(1)?).ok()?;
    if n == 0 {
        return None;
    }
    let mut starting: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (i, p) in pieces.iter().enumerate() {
        if p.len >= 1 && p.start >= first && p.start <= last && p.len <= last - p.start + 1 {
            starting.entry(p.start).or_default().push(i);
        }
    }
    // best[i]: the best cover of months first + i ..= last (None: none, when `whole`).
    // Months run backwards so that each choice extends an already best tail.
    let mut best: Vec<Option<Cover>> = vec![None; n + 1];
    best[n] = Some(Cover::default());
    for i in (0..n).rev() {
        let mut here: Option<Cover> = None;
        for &k in starting.get(&(first + i as i64)).into_iter().flatten() {
            let p = pieces[k];
            let Some(rest) = usize::try_from(p.len)
                .ok()
                .and_then(|len| best[i + len].as_ref())
            else {
                continue;
            };
            let mut chosen = Vec::with_capacity(rest.chosen.len() + 1);
            chosen.push(k);
            chosen.extend(&rest.chosen);
            let cand = Cover {
                months: rest.months + p.len,
                derived: rest.derived + u32::from(p.derived),
                fallback: rest.fallback + u32::from(p.fallback),
                pieces: rest.pieces + 1,
                chosen,
            };
            if here.as_ref().is_none_or(|h| cand.beats(h)) {
                here = Some(cand);
            }
        }
        // Leaving month i out loses ties: of two equally good covers, the one with the
        // earlier figures.
        if !whole
            && let Some(skip) = &best[i + 1]
            && here.as_ref().is_none_or(|h| skip.beats(h))
        {
            here = Some(skip.clone());
        }
        best[i] = here;
    }
    best[0].take().map(|c| c.chosen)
}

#[cfg(test)]
mod tests {
    use super::{Piece, best_cover};

    fn p(start: i64, len: i64, derived: bool) -> Piece {
        Piece {
            start,
            len,
            derived,
            fallback: false,
        }
    }

    /// Marked fallback, the cumulative figure loses to the months even with fewer pieces,
    /// but still fills what they leave open.
    #[test]
    fn fallback_figures_only_fill_what_the_others_leave() {
        let mut ytd = p(0, 3, false);
        ytd.fallback = true;
        let months = [p(0, 1, false), p(1, 1, false), p(2, 1, false)];
        let mut pieces = vec![ytd];
        pieces.extend(months);
        assert_eq!(best_cover(&pieces, 0, 2, true), Some(vec![1, 2, 3]));
        assert_eq!(best_cover(&pieces[..3], 0, 2, true), Some(vec![0]));
    }

    #[test]
    fn a_reported_total_wins_over_the_months_inside_it() {
        // Jan..Jun single months, then a Jan–Jun total, then July.
        let mut pieces: Vec<Piece> = (0..6).map(|m| p(m, 1, false)).collect();
        pieces.push(p(0, 6, false));
        pieces.push(p(6, 1, false));
        assert_eq!(best_cover(&pieces, 0, 6, true), Some(vec![6, 7]));
    }

    #[test]
    fn figures_free_of_derived_ones_win_even_with_more_pieces() {
        let pieces = [p(0, 1, false), p(1, 1, false), p(0, 2, true)];
        assert_eq!(best_cover(&pieces, 0, 1, true), Some(vec![0, 1]));
    }

    #[test]
    fn a_whole_cover_needs_every_month_and_never_overlaps_or_leaves_the_span() {
        let pieces = [
            p(0, 2, false),
            p(1, 2, false),
            p(3, 1, false),
            p(2, 3, false),
        ];
        // [0,2) then [2,...) would need month 2: only (1,2) covers it, and it overlaps.
        assert_eq!(best_cover(&pieces, 0, 3, true), None);
        // Without `whole`: the most months, here [0,2) + [3,4).
        assert_eq!(best_cover(&pieces, 0, 3, false), Some(vec![0, 2]));
        // A piece reaching past the span is not used.
        assert_eq!(best_cover(&[p(0, 3, false)], 0, 1, true), None);
        assert_eq!(best_cover(&[], 0, 1, false), Some(vec![]));
        assert_eq!(best_cover(&[p(0, 1, false)], 1, 0, false), None);
    }

    #[test]
    fn partial_covers_take_the_most_months() {
        // Jan–Jun YTD, and Jul–Nov months: 11 months, not Jan–Mar + Jul–Nov.
        let mut pieces = vec![p(1, 6, false)];
        pieces.extend((7..=11).map(|m| p(m, 1, false)));
        pieces.extend((1..=3).map(|m| p(m, 1, false)));
        let chosen = best_cover(&pieces, 1, 12, false).unwrap_or_default();
        let months: i64 = chosen.iter().map(|&i| pieces[i].len).sum();
        assert_eq!(months, 11);
        assert_eq!(chosen[0], 0);
    }
}
