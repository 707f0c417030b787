//! `server import hh FILE…`: a progress bar on a terminal, a summary or the bad lines per file.
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use sqlx::PgPool;

use super::{import_hh, Progress};

struct Bar(ProgressBar);

impl Progress for Bar {
    fn advance(&self, bytes: u64) {
        self.0.inc(bytes);
    }
}

/// Imports each file in its own transaction; exits non-zero if any file was rejected.
pub async fn import_files(db: &PgPool, files: &[PathBuf]) -> anyhow::Result<()> {
    let mut rejected = 0;
    for path in files {
        let name = path.display().to_string();
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("{name}: cannot open: {e}");
                rejected += 1;
                continue;
            }
        };
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        let bar = if std::io::stderr().is_terminal() {
            let b = ProgressBar::new(len);
            b.set_style(
                ProgressStyle::with_template(
                    "{msg} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            b.set_message(name.clone());
            b
        } else {
            ProgressBar::hidden()
        };
        let started = Instant::now();
        let result = import_hh(
            db,
            &name,
            std::io::BufReader::with_capacity(1 << 20, file),
            Bar(bar.clone()),
        )
        .await;
        bar.finish_and_clear();
        match result {
            Ok(summary) => {
                let secs = started.elapsed().as_secs_f64();
                println!(
                    "{summary} in {secs:.1} s ({:.0} values/s)",
                    summary.values as f64 / secs.max(1e-9)
                );
                // New data may breach a rule: raise its alerts now, not at the next daily run.
                match super::raise_alerts_after(db, &summary).await {
                    Ok(Some(raised)) => println!("{name}: {raised}"),
                    Ok(None) => {}
                    Err(e) => eprintln!(
                        "{name}: imported, but the alert rules failed ({e}); the daily run will raise them"
                    ),
                }
            }
            Err(e) => {
                eprintln!("{}", e.report());
                rejected += 1;
            }
        }
    }
    anyhow::ensure!(
        rejected == 0,
        "{rejected} of {} file(s) rejected; nothing was imported from them",
        files.len()
    );
    Ok(())
}
