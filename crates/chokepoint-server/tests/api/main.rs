//! Integration tests of the HTTP layer: through `router()` with `oneshot`, and over a real
//! socket on 127.0.0.1:0. The engine is replaced by a small test simulator (`support`), so
//! these tests pin the HTTP contract, not the numbers.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod exposure_after;
mod limits;
mod monitor;
mod oneshot;
mod socket;
mod support;
