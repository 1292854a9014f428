use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    init_logging();
    let cli = orgaudit::cli::Cli::parse();
    match orgaudit::app::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(orgaudit::app::EXIT_ERROR)
        }
    }
}

/// Logs to stderr when `RUST_LOG` asks for it (e.g. `RUST_LOG=orgaudit=debug`);
/// silent otherwise.
fn init_logging() {
    let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("RUST_LOG") else {
        return;
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
}
