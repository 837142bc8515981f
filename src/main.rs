//! The `permcat` command line: parses flags and calls the library.

mod cmd;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    tune_allocator();
    let cli = cmd::Cli::parse();
    match cmd::run(cli) {
        Ok(code) => code,
        Err(err) => cmd::exit::error(&err),
    }
}

/// glibc raises its trim threshold whenever a large block is freed, so most of what the
/// loader frees after parsing 18,700 files stayed with the process and added ~20 MB to
/// the peak of `build` and `check`; with the threshold fixed (1 MiB) it goes back to
/// the system. No measured cost in time (BENCHMARKS.md).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    // SAFETY: mallopt only sets an allocator parameter, and runs before any other
    // thread exists.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}
