//! Scan progress: accounts done out of the total, and errors so far.

use std::sync::atomic::{AtomicU64, Ordering};

/// Told about the scan's progress. Implementations must be cheap.
pub trait ScanProgress: Send + Sync {
    /// The number of accounts that will be scanned.
    fn start(&self, _accounts: usize) {}
    /// One account is done; `errors` is the number of its sections that failed.
    fn account_done(&self, _account_id: &str, _errors: usize) {}
    /// The scan is over.
    fn finish(&self) {}
}

/// Reports nothing.
pub struct NoProgress;

impl ScanProgress for NoProgress {}

/// An indicatif progress bar on stderr, drawn only when stderr is a terminal.
pub struct ProgressBar {
    bar: indicatif::ProgressBar,
    errors: AtomicU64,
}

impl ProgressBar {
    pub fn stderr() -> Self {
        use is_terminal::IsTerminal;
        let bar = if std::io::stderr().is_terminal() {
            indicatif::ProgressBar::new(0)
        } else {
            indicatif::ProgressBar::hidden()
        };
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} scanning accounts [{bar:30}] {pos}/{len} {msg} ({elapsed})",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        ProgressBar {
            bar,
            errors: AtomicU64::new(0),
        }
    }
}

impl ScanProgress for ProgressBar {
    fn start(&self, accounts: usize) {
        self.bar.set_length(accounts as u64);
        self.bar.set_message("0 errors");
    }
    fn account_done(&self, _account_id: &str, errors: usize) {
        let total = self.errors.fetch_add(errors as u64, Ordering::Relaxed) + errors as u64;
        self.bar.set_message(format!("{total} errors"));
        self.bar.inc(1);
    }
    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
