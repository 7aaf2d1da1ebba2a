//! The HTTP API and web dashboard over the store and the engine.
