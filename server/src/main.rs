//! Entry point: `server [serve|migrate|seed-demo|import|reset-database]`; `serve` is the default
//! (also on Lambda). Errors are printed as one readable chain and exit with status 1.
fn main() -> std::process::ExitCode {
    server::transport::mark_process_start();
    match server::cli::main() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
