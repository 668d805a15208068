//! What several modules' unit tests share.

use std::path::Path;
use std::process::{Command, Stdio};

/// This test binary again, set to run the unit test `name` alone with the environment
/// variable `marker` set to `dir`: the test finds `marker` set and plays the child, a
/// process the parent kills (SIGKILL) at whatever point it has reached, to check what it
/// leaves in `dir`. The child's standard output is the caller's to direct; its error output
/// is discarded.
pub(crate) fn child_process(name: &str, marker: &str, dir: &Path) -> Command {
    let mut command = Command::new(std::env::current_exe().expect("the test binary's path"));
    command
        .args(["--exact", name, "--test-threads=1", "--nocapture"])
        .env(marker, dir)
        .stderr(Stdio::null());
    command
}
