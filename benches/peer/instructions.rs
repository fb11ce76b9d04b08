//! `--instructions N`: how many instructions careergraph executes per request
//! of each operation, counted by callgrind (`run.sh --instructions N` starts
//! the server under `valgrind --tool=callgrind --instr-atstart=no`).
//!
//! CPU time per request moves by ±30 % from one run to the next on a shared
//! two-core machine; an instruction count is the same for the same binary
//! and inputs whatever else the machine is doing, so two builds measured one
//! after the other can be compared to the percent.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The counting of one process run under callgrind, which writes each dump
/// to `<out>.<n>` (`--callgrind-out-file=<out>`).
pub struct Callgrind {
    pid: u32,
    out: PathBuf,
    dumps: usize,
}

impl Callgrind {
    pub fn new(pid: u32, out: &Path) -> Self {
        Callgrind { pid, out: out.to_owned(), dumps: 0 }
    }

    fn control(&self, option: &str) -> Result<(), String> {
        let output = Command::new("callgrind_control")
            .args([option, &self.pid.to_string()])
            .output()
            .map_err(|e| format!("callgrind_control (install valgrind): {e}"))?;
        let text = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() || text.contains("not detected") {
            return Err(format!("callgrind_control {option}: {text}{}", String::from_utf8_lossy(&output.stderr)));
        }
        Ok(())
    }

    /// Starts counting from zero.
    pub fn start(&self) -> Result<(), String> {
        self.control("--zero")?;
        self.control("--instr=on")
    }

    /// Stops counting and returns the instructions counted since `start`.
    pub async fn stop(&mut self) -> Result<u64, String> {
        self.control("--instr=off")?;
        self.control("--dump")?;
        self.dumps += 1;
        let file = PathBuf::from(format!("{}.{}", self.out.display(), self.dumps));
        // The dump is written when the process next enters callgrind's
        // scheduler, and its totals line comes last.
        let started = Instant::now();
        loop {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            if let Some(total) = text.lines().find_map(|line| line.strip_prefix("totals:")) {
                return total.trim().parse().map_err(|e| format!("{}: totals {total:?}: {e}", file.display()));
            }
            if started.elapsed() > Duration::from_secs(60) {
                return Err(format!("callgrind wrote no {}", file.display()));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
