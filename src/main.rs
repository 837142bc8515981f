//! The `permcat` command line: parses flags and calls the library.

mod cmd;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cmd::Cli::parse();
    match cmd::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`permcat export | head`) is not a failure.
            if err.chain().any(|c| {
                c.downcast_ref::<io::Error>()
                    .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            // Messages quote names and text from the data and the command line.
            let mut stderr = permcat::text::Terminal::new(io::stderr().lock());
            let _ = writeln!(stderr, "error: {err}");
            for cause in err.chain().skip(1) {
                let _ = writeln!(stderr, "  caused by: {cause}");
            }
            // 1 means "no answer" or "changes found"; an error is 2 (ripgrep's convention).
            ExitCode::from(2)
        }
    }
}
