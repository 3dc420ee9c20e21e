//! Placeholder simulation core; replaced by the engine.
