use std::process::ExitCode;

use clap::Parser;
use orgaudit::sanitize::{to_stderr, SanitizingWriter};

fn main() -> ExitCode {
    init_logging();
    let cli = match orgaudit::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    match orgaudit::app::run(cli) {
        Ok(code) => code,
        // Nobody reads standard output any more: nothing to say.
        Err(orgaudit::app::AppError::StdoutClosed) => ExitCode::from(orgaudit::app::EXIT_ERROR),
        Err(e) => {
            to_stderr(&format!("error: {e}"));
            ExitCode::from(orgaudit::app::EXIT_ERROR)
        }
    }
}

/// A command line clap refused (exit 2), or `--help`/`--version` (exit 0).
/// Errors quote the arguments, so they go to stderr sanitized, uncoloured.
fn usage_error(e: clap::Error) -> ExitCode {
    if !e.use_stderr() {
        let _ = e.print();
        return ExitCode::from(orgaudit::app::EXIT_OK);
    }
    to_stderr(e.render().to_string().trim_end());
    ExitCode::from(orgaudit::app::EXIT_ERROR)
}

/// Logs to stderr when `RUST_LOG` asks for it (e.g. `RUST_LOG=orgaudit=debug`);
/// silent otherwise.
fn init_logging() {
    let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("RUST_LOG") else {
        return;
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| SanitizingWriter(std::io::stderr()))
        .with_ansi(false)
        .init();
}
