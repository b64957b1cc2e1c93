use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // A missing .env is normal; a broken one is worth saying.
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            eprintln!("warning: could not read .env: {e}");
        }
    }
    if let Err(e) = folio::logging::init() {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    folio::cli::run(folio::cli::Cli::parse())
}
