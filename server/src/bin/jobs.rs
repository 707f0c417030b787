//! The AWS jobs binary (`--features aws`): `ingest`, `migrate` or `alerts-daily`, as the Lambda
//! function's `Handler` says (server/src/jobs.rs).
fn main() -> std::process::ExitCode {
    server::jobs::main()
}
