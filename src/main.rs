use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = orgaudit::cli::Cli::parse();
    match orgaudit::app::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(orgaudit::app::EXIT_ERROR)
        }
    }
}
