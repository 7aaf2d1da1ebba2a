//! Networks the engine runs on. `chain` is the bundled rare-earth chain (physical units),
//! `assumptions` its named parameters, `flow` its daily model under policies, `file` its
//! editable file form.

pub mod assumptions;
pub mod chain;
pub mod file;
pub mod flow;
