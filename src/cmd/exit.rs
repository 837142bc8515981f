//! Exit statuses, in one place, after ripgrep's convention: 0 success or an answer,
//! 1 no answer (`which`, `show`) or changes found (`diff`), 2 an error.

use std::io::{self, Write};
use std::process::ExitCode;

/// What `--help` says about the exit statuses.
pub const HELP: &str = "Exit status: 0 success (every request answered, no changes); \
1 no answer (`which`, `show`) or changes found (`diff`); 2 an error.";

/// The command did its job: an answer, or no change.
pub fn success() -> ExitCode {
    ExitCode::SUCCESS
}

/// No answer (`which`, `show`), or changes found (`diff`): not an error.
pub fn no_answer() -> ExitCode {
    ExitCode::from(1)
}

/// `no_answer` when `answered` is false.
pub fn answered(answered: bool) -> ExitCode {
    if answered {
        success()
    } else {
        no_answer()
    }
}

/// Prints an error with its causes and returns status 2. A closed pipe
/// (`permcat export | head`) is not a failure.
pub fn error(err: &anyhow::Error) -> ExitCode {
    let broken_pipe = err.chain().any(|c| {
        c.downcast_ref::<io::Error>().map(io::Error::kind) == Some(io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == Some(io::ErrorKind::BrokenPipe)
    });
    if broken_pipe {
        return success();
    }
    // Messages quote names and text from the data and the command line.
    let mut stderr = permcat::text::Terminal::new(io::stderr().lock());
    let _ = writeln!(stderr, "error: {err}");
    for cause in err.chain().skip(1) {
        let _ = writeln!(stderr, "  caused by: {cause}");
    }
    ExitCode::from(2)
}
