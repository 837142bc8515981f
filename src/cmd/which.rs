//! `permcat which`: which permission does a request or cmdlet need?

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use permcat::text::Terminal;

use super::{CacheArgs, DataArgs};
use permcat::lookup::{Answer, Lookup, Miss, Outcome, Report};
use permcat::model::{Catalog, PermissionType, Scheme};

/// Flags of `permcat which`.
#[derive(Debug, Args)]
pub struct WhichArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    cache: CacheArgs,
    /// Requests and cmdlets: `[METHOD] URL…` (a method applies to the URLs after it;
    /// GET by default), a quoted `"POST /me/sendMail"` line, or a cmdlet such as
    /// `Get-MgUser`.
    #[arg(
        required_unless_present_any = ["stdin", "file"],
        conflicts_with_all = ["stdin", "file"],
        value_name = "REQUEST"
    )]
    requests: Vec<String>,
    /// Read the requests from standard input, one per line, each written like one
    /// quoted argument (`GET /me/messages`, a URL, a cmdlet, a permission id); blank
    /// lines and lines starting with `#` are skipped. Answers come in input order.
    #[arg(long, conflicts_with = "file")]
    pub(crate) stdin: bool,
    /// Like --stdin, from a regular file.
    #[arg(long, value_name = "FILE")]
    pub(crate) file: Option<PathBuf>,
    /// Print JSON for scripts (with --stdin or --file: an array with one object per
    /// request line, in input order, each with its line number).
    #[arg(long)]
    pub(crate) json: bool,
    /// With --stdin or --file: print one JSON object per request line instead.
    #[arg(long, conflicts_with = "json")]
    pub(crate) json_lines: bool,
}

/// Runs `permcat which`: exit 0 when every input is answered, 1 when one is not, 2 on
/// an error (no data, no request).
pub fn run(args: WhichArgs) -> Result<ExitCode> {
    answer(&args)
}

fn answer(args: &WhichArgs) -> Result<ExitCode> {
    let batch = if args.stdin || args.file.is_some() {
        Some(read_input(args.file.as_deref())?)
    } else {
        if args.json_lines {
            anyhow::bail!("--json-lines needs --stdin or --file");
        }
        None
    };
    // The answers are computed from the cached catalog while the data directory is
    // keyed, and shown only when the key matches.
    let work = |lookup: &Lookup| -> Answers {
        match &batch {
            Some(lines) => Answers::Lines(
                lines
                    .iter()
                    .map(|l| {
                        lookup
                            .query(std::slice::from_ref(&l.text))
                            .map_err(|e| e.to_string())
                    })
                    .collect(),
            ),
            None => Answers::One(lookup.query(&args.requests)),
        }
    };
    let (catalog, answers) = super::with_lookup(&args.data.data, &args.cache, work)?;
    let code = match (answers, &batch) {
        (Answers::Lines(reports), Some(lines)) => answer_lines(args, &catalog, lines, &reports),
        (Answers::One(report), _) => report.and_then(|r| answer_one(args, &catalog, &r)),
        (Answers::Lines(_), None) => Ok(super::exit::success()),
    };
    // The catalog is dropped with the process, not freed piece by piece.
    std::mem::forget(catalog);
    code
}

/// What a lookup produced: one report for the arguments, or one per request line.
enum Answers {
    One(Result<Report>),
    Lines(Vec<Result<Report, String>>),
}

fn answer_one(args: &WhichArgs, catalog: &Catalog, report: &Report) -> Result<ExitCode> {
    let mut out = io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, report)?;
        writeln!(out)?;
    } else {
        print_text(&mut Terminal::new(&mut out), catalog, report)?;
    }
    out.flush()?;
    Ok(super::exit::answered(report.all_answered()))
}

fn print_answer(out: &mut dyn Write, a: &Answer) -> Result<()> {
    let versions: Vec<&str> = a.versions.iter().map(|v| v.as_str()).collect();
    writeln!(
        out,
        "{} {}  [{}]",
        a.request.method,
        a.template,
        if versions.is_empty() {
            "version not confirmed".to_string()
        } else {
            versions.join(", ")
        }
    )?;
    if a.request.path != a.template {
        writeln!(out, "  for {} {}", a.request.method, a.request.path)?;
    }
    for via in &a.via {
        writeln!(out, "  note: {}", via.note)?;
    }
    for scheme in Scheme::ALL {
        let label = scheme.label();
        if let Some(why) = a.not_usable.get(&scheme) {
            writeln!(out, "  {label}: {why}")?;
            continue;
        }
        match a.schemes.get(&scheme).filter(|l| !l.is_empty()) {
            None => writeln!(out, "  {label}: not supported")?,
            Some(list) => {
                let first = &list[0];
                let mark = if first.least_privileged {
                    "least privileged"
                } else {
                    "lowest privilege level"
                };
                write!(out, "  {label}: {} ({mark})", first.permission)?;
                if let Some(t) = first.risk_tier {
                    write!(out, " · risk Tier {t}")?;
                }
                if !first.also_requires.is_empty() {
                    write!(out, " + also {}", first.also_requires.join(", "))?;
                }
                writeln!(out)?;
                let flagged: Vec<&str> = list[1..]
                    .iter()
                    .filter(|c| c.flagged_least)
                    .map(|c| c.permission.as_str())
                    .collect();
                if !flagged.is_empty() {
                    writeln!(
                        out,
                        "      also flagged least in permissions.json: {}",
                        flagged.join(", ")
                    )?;
                }
                if list.len() > 1 {
                    let rest: Vec<&str> = list[1..].iter().map(|c| c.permission.as_str()).collect();
                    writeln!(out, "      alternatives: {}", rest.join(", "))?;
                }
            }
        }
    }
    Ok(())
}

fn print_miss(m: &Miss) -> Result<()> {
    let mut err = Terminal::new(io::stderr().lock());
    let (method, path) = (&m.request.method, &m.request.path);
    if m.other_methods.is_empty() {
        writeln!(err, "error: no known endpoint matches {method} {path}")?;
        if !m.closest.is_empty() {
            writeln!(err, "  closest known paths: {}", m.closest.join(", "))?;
        }
    } else if let Some(known) = &m.known_path {
        writeln!(
            err,
            "error: no known endpoint matches {method} {path}; {known} is known, but not for {method}; it is for {}",
            m.other_methods.join(", ")
        )?;
    } else {
        writeln!(
            err,
            "error: {path} is known, but not for {method}; it is for {}",
            m.other_methods.join(", ")
        )?;
    }
    Ok(())
}

fn print_text(out: &mut dyn Write, catalog: &Catalog, report: &Report) -> Result<()> {
    print_entries(out, catalog, report)?;
    print_source(out, catalog, report.endpoints().count())
}

/// The answers of a report and, with several requests, the fewest permissions for all.
pub(crate) fn print_entries(out: &mut dyn Write, catalog: &Catalog, report: &Report) -> Result<()> {
    for e in &report.answers {
        match &e.outcome {
            Outcome::Endpoint(a) => print_answer(out, a)?,
            Outcome::Batch(b) => {
                writeln!(out, "{} {}", b.request.method, b.template)?;
                writeln!(out, "  {}", b.note)?;
            }
            Outcome::Permission(p) => {
                for m in &p.matches {
                    let what = match m.kind {
                        PermissionType::Delegated => "delegated permission (OAuth2 scope)",
                        PermissionType::Application => "application permission (app role)",
                    };
                    writeln!(out, "{}: {} — {what}", p.id, m.permission)?;
                }
            }
            Outcome::Miss(m) => {
                out.flush()?;
                print_miss(m)?;
            }
            Outcome::UnknownCmdlet(u) => {
                out.flush()?;
                let mut err = Terminal::new(io::stderr().lock());
                let source = permcat::lookup::cmdlet_source_label(catalog).unwrap_or_default();
                writeln!(err, "error: no cmdlet named {} in {source}", u.cmdlet)?;
                if !u.closest.is_empty() {
                    writeln!(err, "  did you mean: {}", u.closest.join(", "))?;
                }
            }
            Outcome::NoCmdletSource(n) => {
                out.flush()?;
                let mut err = Terminal::new(io::stderr().lock());
                writeln!(
                    err,
                    "error: cannot look up {}: no cmdlet source is loaded",
                    n.cmdlet
                )?;
                writeln!(err, "  cmdlets come from {}", n.sources.join(" or "))?;
            }
            Outcome::UnknownId(u) => {
                out.flush()?;
                writeln!(
                    Terminal::new(io::stderr().lock()),
                    "error: no permission has id {}",
                    u.id
                )?;
            }
        }
    }
    let count = report.endpoints().count();
    if !report.cover.is_empty() {
        writeln!(out, "\nfewest permissions for all {count} requests:")?;
        for (scheme, set) in &report.cover {
            match set {
                Some(set) => writeln!(out, "  {}: {}", scheme.label(), set.join(", "))?,
                None => writeln!(out, "  {}: none covers every request", scheme.label())?,
            }
        }
    }
    Ok(())
}

/// Where the answers come from, after `count` endpoint answers.
pub(crate) fn print_source(out: &mut dyn Write, catalog: &Catalog, count: usize) -> Result<()> {
    if count > 0 {
        let src = catalog.sources.get("permissions");
        writeln!(
            out,
            "\nsource: {}{}",
            src.map_or("permissions.json", |s| s.path.as_str()),
            src.and_then(|s| s.date.as_deref())
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        )?;
    }
    Ok(())
}

/// Longest request line read from --stdin or --file.
pub const MAX_LINE: usize = 64 << 10;

/// Most request lines read from --stdin or --file.
pub const MAX_LINES: usize = 100_000;

/// Most bytes read from --stdin or --file.
pub const MAX_INPUT: u64 = 16 << 20;

/// One request line: its 1-based number in the input and its text.
pub(crate) struct Line {
    pub(crate) number: usize,
    pub(crate) text: String,
}

/// Reads the request lines of --stdin or --file, bounded: a line over [`MAX_LINE`]
/// bytes, more than [`MAX_LINES`] lines, more than [`MAX_INPUT`] bytes or text that is
/// not UTF-8 is an error (exit 2) before anything is answered. A file must be a regular
/// file (a FIFO or device is refused rather than waited on).
pub(crate) fn read_input(file: Option<&std::path::Path>) -> Result<Vec<Line>> {
    use std::io::Read;
    let (bytes, name) = match file {
        Some(path) => {
            let name = format!("`{}`", path.display());
            match permcat::sources::read_capped(path, MAX_INPUT)
                .map_err(|e| anyhow::anyhow!("cannot read {name}: {e}"))?
            {
                Some(Ok(b)) => (b, name),
                Some(Err(why)) => anyhow::bail!("cannot read {name}: it is {why}"),
                None => anyhow::bail!("cannot read {name}: not found"),
            }
        }
        None => {
            let mut b = Vec::new();
            io::stdin()
                .lock()
                .take(MAX_INPUT + 1)
                .read_to_end(&mut b)
                .map_err(|e| anyhow::anyhow!("cannot read standard input: {e}"))?;
            if b.len() as u64 > MAX_INPUT {
                anyhow::bail!(
                    "standard input is larger than {} MiB; split the requests",
                    MAX_INPUT >> 20
                );
            }
            (b, "standard input".to_string())
        }
    };
    let mut lines = Vec::new();
    for (n, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let number = n + 1;
        if raw.len() > MAX_LINE {
            anyhow::bail!(
                "line {number} of {name} is longer than {} KiB",
                MAX_LINE >> 10
            );
        }
        let text = std::str::from_utf8(raw)
            .map_err(|_| anyhow::anyhow!("line {number} of {name} is not UTF-8 text"))?
            .trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        if lines.len() == MAX_LINES {
            anyhow::bail!("{name} has more than {MAX_LINES} requests; split them");
        }
        lines.push(Line {
            number,
            text: text.to_string(),
        });
    }
    if lines.is_empty() {
        anyhow::bail!("no request in {name}: write one request or cmdlet per line");
    }
    Ok(lines)
}

/// One request line's answer in JSON: the line, and its report (or why it has none).
#[derive(serde::Serialize)]
struct LineAnswer<'a> {
    line: usize,
    input: &'a str,
    answered: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(flatten)]
    report: Option<&'a Report>,
}

/// Answers each request line on its own, in order: text blocks (the source once, at the
/// end), a JSON array, or JSON lines. Exit 1 when any line is unanswered.
fn answer_lines(
    args: &WhichArgs,
    catalog: &Catalog,
    lines: &[Line],
    reports: &[Result<Report, String>],
) -> Result<ExitCode> {
    let all = reports
        .iter()
        .all(|r| r.as_ref().is_ok_and(Report::all_answered));
    let answers = lines.iter().zip(reports).map(|(l, r)| LineAnswer {
        line: l.number,
        input: &l.text,
        answered: r.as_ref().is_ok_and(Report::all_answered),
        error: r.as_ref().err().cloned(),
        report: r.as_ref().ok(),
    });
    let mut out = io::BufWriter::new(io::stdout().lock());
    if args.json_lines {
        for a in answers {
            serde_json::to_writer(&mut out, &a)?;
            writeln!(out)?;
        }
    } else if args.json {
        let answers: Vec<LineAnswer> = answers.collect();
        serde_json::to_writer_pretty(&mut out, &answers)?;
        writeln!(out)?;
    } else {
        let mut endpoints = 0;
        for (l, r) in lines.iter().zip(reports) {
            match r {
                Ok(report) => {
                    print_entries(&mut Terminal::new(&mut out), catalog, report)?;
                    endpoints += report.endpoints().count();
                }
                Err(e) => {
                    out.flush()?;
                    writeln!(
                        Terminal::new(io::stderr().lock()),
                        "error: line {}: {e}",
                        l.number
                    )?;
                }
            }
        }
        print_source(&mut Terminal::new(&mut out), catalog, endpoints)?;
    }
    out.flush()?;
    Ok(super::exit::answered(all))
}
