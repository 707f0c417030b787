//! Entry point: `server [serve|migrate|seed-demo]`; `serve` is the default (also on Lambda).
fn main() -> anyhow::Result<()> {
    server::cli::main()
}
