//! `permcat serve`: builds the site, serves it on loopback and rebuilds on change.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;

use super::DataArgs;
use permcat::serve::{self, Event, ServeOptions, Server};

/// Flags of `permcat serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// Address to listen on. Anything but loopback makes the preview reachable from the
    /// network.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Open the site in the default browser.
    #[arg(long)]
    open: bool,
    /// Serve this already-built site as it is: no build, no watching, no live reload.
    #[arg(long, value_name = "DIR", conflicts_with = "data")]
    dir: Option<PathBuf>,
}

/// Runs `permcat serve` until Ctrl+C (or SIGTERM).
pub fn run(args: ServeArgs) -> Result<ExitCode> {
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = interrupted.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .context("failed to install the Ctrl+C handler")?;

    let opts = ServeOptions {
        data: args.data.data,
        host: args.host,
        port: args.port,
        open: args.open,
        dir: args.dir,
    };
    let server = Server::start(&opts, report)?;

    let mut out = io::stdout().lock();
    if !serve::is_loopback(&server.addr()) {
        eprintln!(
            "warning: listening on {}: the preview is reachable from the network",
            server.addr()
        );
    }
    let source = match &opts.dir {
        Some(dir) => format!("dir: {}", dir.display()),
        None => format!("data: {}", opts.data.display()),
    };
    writeln!(
        out,
        "serving {} ({source}) — press Ctrl+C to stop",
        server.url()
    )?;
    if opts.dir.is_none() {
        writeln!(
            out,
            "the built site is in `{}`; it is removed on stop",
            server.root().display()
        )?;
    }
    drop(out);
    if opts.open {
        if let Err(e) = serve::open_in_browser(&server.url()) {
            eprintln!(
                "note: could not open a browser ({e}); open {}",
                server.url()
            );
        }
    }

    while !interrupted.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(100));
    }
    server.stop();
    println!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Prints what the watcher did: builds on standard output, errors on standard error.
fn report(event: Event) {
    match event {
        Event::Built {
            build: 1,
            took,
            permissions,
        } => println!("built {permissions} permissions in {} ms", took.as_millis()),
        Event::Built {
            build,
            took,
            permissions,
        } => println!(
            "rebuilt in {} ms (build {build}, {permissions} permissions)",
            took.as_millis()
        ),
        Event::Failed { error } => {
            eprintln!("error: {error}");
            eprintln!("  still serving the last good site; fix the data to rebuild");
        }
    }
}
