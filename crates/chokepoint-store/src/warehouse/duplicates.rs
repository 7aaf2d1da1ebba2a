//! Conflicting duplicates within one file: a line with the key of an earlier line
//! (reporter, partner, flow, period and its type, HS code or product) but other figures.
//! Both are stored, and "the latest ingest wins" cannot choose between lines of one ingest,
//! so `trends` would use either without a word; ingest warns, naming the lines. Exact
//! repeats are not conflicts (they count once).
//!
//! Keys are kept as 64-bit hashes, about 40 bytes per distinct key with the table's
//! spare room and its growth; past [`MAX_TRACKED_KEYS`] new keys are no longer tracked, so
//! memory stays bounded whatever the file size (the report says the check stopped).

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use crate::schema::TradeRecord;

/// Distinct keys tracked per file. The ingest otherwise holds a few blocks per core
/// whatever the file size (about 90 MB on 2 cores); 2 million keys raised a 3-million-row
/// ingest's peak from 93 MB to 255 MB, 262,144 keep the check to about 20 MB. Files with
/// more distinct keys (bulk extracts) are checked up to there and say so.
pub const MAX_TRACKED_KEYS: usize = 1 << 18;

/// Conflicting lines kept as examples.
const EXAMPLES: usize = 10;

/// The key and the figures of a row, hashed: `(key, figures)`.
pub fn fingerprint(r: &TradeRecord) -> (u64, u64) {
    let mut key = twox_hash::XxHash64::with_seed(0);
    r.period.hash(&mut key);
    r.period_type.as_str().hash(&mut key);
    r.reporter_iso3.hash(&mut key);
    r.partner_iso3.hash(&mut key);
    r.flow.hash(&mut key);
    r.hs_code.hash(&mut key);
    r.product.hash(&mut key);
    let mut figures = twox_hash::XxHash64::with_seed(0);
    r.quantity_t.map(f64::to_bits).hash(&mut figures);
    r.value_usd.map(f64::to_bits).hash(&mut figures);
    (key.finish(), figures.finish())
}

/// What the check found in one file (kept in the ingest record).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Conflicts {
    /// Lines that repeat an earlier line's key with other figures.
    pub lines: u64,
    /// Up to ten of them: (the earlier line, the conflicting line).
    pub examples: Vec<(u64, u64)>,
    /// Whether the file had more distinct keys than were tracked (later ones unchecked).
    pub incomplete: bool,
    /// Lines that give other figures for the key of a line of an earlier file of the same
    /// ingest (this file's figures are the ones used, as when ingested separately).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub earlier_file_lines: u64,
    /// Up to ten of them: (the earlier file, its line, this file's line).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_file_examples: Vec<(String, u64, u64)>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Conflicts {
    /// Whether there is anything to tell.
    pub fn is_empty(&self) -> bool {
        self.lines == 0 && !self.incomplete && self.earlier_file_lines == 0
    }
}

/// The keys of the files of one ingest read so far, for conflicts across them: within one
/// ingest, a later file's figures win as a later ingest's do, and the ingest says so.
/// Bounded like [`Seen`]: past [`MAX_TRACKED_KEYS`] keys, later keys are not tracked.
#[derive(Default)]
pub struct AcrossFiles {
    /// Key → (file index, line, figures) of the latest file holding it.
    keys: HashMap<u64, (usize, u64, u64)>,
    /// This file's keys, added once the file is read (lines of one file are [`Seen`]'s).
    pending: Vec<(u64, u64, u64)>,
}

impl AcrossFiles {
    /// Checks the row of `line` of file `file` against the earlier files' keys.
    pub fn add(
        &mut self,
        found: &mut Vec<(usize, u64, u64)>,
        line: u64,
        (key, figures): (u64, u64),
    ) {
        if let Some(&(file, first_line, first_figures)) = self.keys.get(&key)
            && first_figures != figures
        {
            found.push((file, first_line, line));
        }
        if self.keys.len() + self.pending.len() < MAX_TRACKED_KEYS {
            self.pending.push((key, line, figures));
        }
    }

    /// Ends file `file`: its keys become the ones later files are checked against.
    pub fn end_file(&mut self, file: usize) {
        for (key, line, figures) in self.pending.drain(..) {
            self.keys.insert(key, (file, line, figures));
        }
    }
}

/// The keys of one file seen so far, fed in file order.
pub struct Seen {
    keys: HashMap<u64, (u64, u64)>,
    found: Conflicts,
    /// Cleared when the table is full: the parser threads then stop hashing rows, so a bulk
    /// file pays for its first [`MAX_TRACKED_KEYS`] keys only.
    tracking: Arc<AtomicBool>,
    /// The last line found in conflict: a BACI line is two rows (the export and its mirror
    /// import), and it was counted and listed twice ("line 3 (as 2), line 3 (as 2)").
    last_conflict: Option<u64>,
}

impl Default for Seen {
    fn default() -> Self {
        Seen {
            keys: HashMap::new(),
            found: Conflicts::default(),
            tracking: Arc::new(AtomicBool::new(true)),
            last_conflict: None,
        }
    }
}

impl Seen {
    /// A flag the parser threads read before fingerprinting a row: true until the table is
    /// full.
    pub fn tracking(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.tracking)
    }

    /// Adds the row of `line` with its [`fingerprint`].
    pub fn add(&mut self, line: u64, (key, figures): (u64, u64)) {
        let full = self.keys.len() >= MAX_TRACKED_KEYS;
        match self.keys.entry(key) {
            Entry::Occupied(first) => {
                let &(first_line, first_figures) = first.get();
                if first_figures != figures && self.last_conflict != Some(line) {
                    self.last_conflict = Some(line);
                    self.found.lines += 1;
                    if self.found.examples.len() < EXAMPLES {
                        self.found.examples.push((first_line, line));
                    }
                }
            }
            Entry::Vacant(_) if full => {
                self.found.incomplete = true;
                self.tracking.store(false, Ordering::Relaxed);
            }
            Entry::Vacant(slot) => {
                slot.insert((line, figures));
            }
        }
    }

    /// What was found.
    pub fn finish(self) -> Conflicts {
        self.found
    }
}

#[cfg(test)]
mod tests {
    use chokepoint_model::{Flow, Period};

    use super::*;

    #[test]
    fn a_repeated_key_with_other_figures_is_a_conflict_an_exact_repeat_is_not() {
        let row = |q: f64| TradeRecord {
            quantity_t: Some(q),
            hs_code: Some("850511".into()),
            ..TradeRecord::blank(
                "2025-05".parse::<Period>().unwrap(),
                "CHN".into(),
                "WLD".into(),
                Flow::Export,
            )
        };
        let mut seen = Seen::default();
        seen.add(2, fingerprint(&row(2700.0)));
        seen.add(3, fingerprint(&row(2700.0)));
        seen.add(5, fingerprint(&row(1.0)));
        let other_partner = TradeRecord {
            partner_iso3: "JPN".into(),
            ..row(1.0)
        };
        seen.add(6, fingerprint(&other_partner));
        let found = seen.finish();
        assert_eq!(found.lines, 1);
        assert_eq!(found.examples, [(2, 5)]);
        assert!(!found.incomplete);
        // One line's two rows (a BACI line and its mirror) in conflict count once.
        let mut seen = Seen::default();
        seen.add(2, (1, 10));
        seen.add(2, (2, 20));
        seen.add(3, (1, 11));
        seen.add(3, (2, 21));
        let found = seen.finish();
        assert_eq!((found.lines, found.examples.as_slice()), (1, &[(2, 3)][..]));
    }

    /// F21: a key of an earlier file with other figures is found; one of the same file is
    /// [`Seen`]'s; equal figures are no conflict.
    #[test]
    fn keys_of_earlier_files_with_other_figures_are_conflicts() {
        let mut across = AcrossFiles::default();
        let mut found = Vec::new();
        across.add(&mut found, 2, (1, 10));
        across.add(&mut found, 3, (1, 11));
        across.add(&mut found, 4, (2, 20));
        assert!(found.is_empty());
        across.end_file(0);
        across.add(&mut found, 2, (1, 99));
        across.add(&mut found, 5, (2, 20));
        assert_eq!(found, [(0, 3, 2)]);
    }

    /// Past the limit the check says it stopped and tells the parsers to stop hashing.
    #[test]
    fn a_full_table_stops_tracking() {
        let mut seen = Seen::default();
        let tracking = seen.tracking();
        for k in 0..MAX_TRACKED_KEYS as u64 {
            seen.add(k + 2, (k, 0));
        }
        assert!(tracking.load(Ordering::Relaxed));
        seen.add(1 << 40, (u64::MAX, 0));
        assert!(!tracking.load(Ordering::Relaxed));
        assert!(seen.finish().incomplete);
    }
}
