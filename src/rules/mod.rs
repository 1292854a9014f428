//! Rules: loading rule files, validating them, and evaluating them.

pub mod view;
