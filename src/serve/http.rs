//! The preview's HTTP/1.1 on std's TCP: a thread per connection (capped), keep-alive
//! with an idle timeout, request heads read within fixed limits, no request bodies.
//!
//! Written here rather than taken from tiny_http 0.12, which starves keep-alive
//! connections that arrive in a burst (its pool queues them behind four busy threads),
//! stalls every response ~40 ms on Nagle's algorithm, and buffers request lines of any
//! length before the caller can refuse them.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::{Reply, COMMON_HEADERS, MAX_HEADER_BYTES, MAX_URL_BYTES};

/// Answers one request: method and raw request target in, reply out.
pub(crate) type Handler = dyn Fn(&str, &str) -> Reply + Send + Sync;

/// A keep-alive connection with no complete request for this long is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(15);

/// How often a connection waiting for bytes looks at the stop flag.
const TICK: Duration = Duration::from_millis(200);

/// Connections served at once; more get 503, so a flood cannot exhaust threads.
const MAX_CONNECTIONS: usize = 256;

/// The longest request line: the URL limit plus room for the method and version.
const MAX_REQUEST_LINE: usize = MAX_URL_BYTES + 32;

/// The accept loop and its connections.
pub(crate) struct Listening {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    active: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

/// Starts accepting on `listener`, answering each request with `handler`.
pub(crate) fn start(listener: TcpListener, handler: Arc<Handler>) -> io::Result<Listening> {
    let addr = listener.local_addr()?;
    let stop = Arc::new(AtomicBool::new(false));
    let active = Arc::new(AtomicUsize::new(0));
    let thread = {
        let (stop, active) = (stop.clone(), active.clone());
        thread::Builder::new()
            .name("permcat-accept".into())
            .spawn(move || accept(&listener, &handler, &stop, &active))?
    };
    Ok(Listening {
        addr,
        stop,
        active,
        thread: Some(thread),
    })
}

impl Listening {
    /// Stops accepting, lets open connections finish their current request, and waits
    /// (at most two seconds) for them to close.
    pub(crate) fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // accept() blocks; a connection of our own wakes it to see the flag.
        let ip = match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let _ = TcpStream::connect_timeout(&SocketAddr::new(ip, self.addr.port()), TICK);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let deadline = Instant::now() + Duration::from_secs(2);
        while self.active.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Counts a connection as open until dropped.
struct Open(Arc<AtomicUsize>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn accept(
    listener: &TcpListener,
    handler: &Arc<Handler>,
    stop: &Arc<AtomicBool>,
    active: &Arc<AtomicUsize>,
) {
    for conn in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let mut stream = match conn {
            Ok(s) => s,
            Err(_) => {
                // Out of descriptors or a connection reset before accept: try again
                // shortly rather than spin.
                thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            let _ = write_reply(
                &mut stream,
                &Reply::text(503, "too many connections"),
                false,
                false,
            );
            continue;
        }
        let open = Open(active.clone());
        let (handler, stop) = (handler.clone(), stop.clone());
        // A failed spawn drops the closure, and with it `open` and the stream.
        let _ = thread::Builder::new()
            .name("permcat-conn".into())
            .spawn(move || {
                let _open = open;
                let _ = connection(stream, &*handler, &stop);
            });
    }
}

/// What reading a request head gave.
enum Head {
    /// A complete head ends at this offset of the buffer (before the blank line).
    Complete(usize),
    /// The client closed, went idle, or the server is stopping.
    Closed,
    /// Over a limit: answer with this status and close.
    TooLarge(u16),
}

/// Serves one connection until it closes, idles out, or the server stops.
fn connection(mut stream: TcpStream, handler: &Handler, stop: &AtomicBool) -> io::Result<()> {
    // Replies go out in one write; without this the kernel may hold the tail back
    // waiting for the client's delayed ACK.
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(TICK))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    // Bytes received but not yet used: a pipelined client may send several requests.
    let mut pending = Vec::new();
    loop {
        let end = match read_head(&mut stream, &mut pending, stop)? {
            Head::Complete(end) => end,
            Head::Closed => return Ok(()),
            Head::TooLarge(status) => {
                let reason = if status == 414 {
                    "request URL too long"
                } else {
                    "request headers too large"
                };
                return write_reply(&mut stream, &Reply::text(status, reason), false, false);
            }
        };
        let head: Vec<u8> = pending.drain(..end + 4).collect();
        let Some(request) = parse_head(&head[..end]) else {
            return write_reply(&mut stream, &Reply::text(400, "bad request"), false, false);
        };
        let reply = if request.header_bytes > MAX_HEADER_BYTES {
            Reply::text(431, "request headers too large")
        } else {
            handler(request.method, request.target)
        };
        // A request body is never read, so the connection cannot find the next request
        // after one: close it.
        let keep_alive = request.keep_alive && !request.has_body;
        write_reply(&mut stream, &reply, request.method == "HEAD", keep_alive)?;
        if !keep_alive {
            return Ok(());
        }
    }
}

/// Reads until `pending` holds a whole request head, within the size limits.
fn read_head(stream: &mut TcpStream, pending: &mut Vec<u8>, stop: &AtomicBool) -> io::Result<Head> {
    let mut chunk = [0u8; 8192];
    let mut last_byte = Instant::now();
    loop {
        if let Some(end) = find(pending, b"\r\n\r\n") {
            return Ok(Head::Complete(end));
        }
        let line = find(pending, b"\r\n").unwrap_or(pending.len());
        if line > MAX_REQUEST_LINE {
            return Ok(Head::TooLarge(414));
        }
        // Names, values and the ": " and CRLF around each: a generous bound on the raw
        // bytes of headers that may still add up to MAX_HEADER_BYTES or less.
        if pending.len() - line > 2 * MAX_HEADER_BYTES {
            return Ok(Head::TooLarge(431));
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Ok(Head::Closed),
            Ok(n) => {
                pending.extend_from_slice(&chunk[..n]);
                last_byte = Instant::now();
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                if stop.load(Ordering::SeqCst) || last_byte.elapsed() > IDLE_TIMEOUT {
                    return Ok(Head::Closed);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A parsed request head.
struct Request<'a> {
    method: &'a str,
    target: &'a str,
    keep_alive: bool,
    has_body: bool,
    /// Bytes of header names and values.
    header_bytes: usize,
}

/// Parses `METHOD SP target SP HTTP/1.x` and the header lines; `None` if malformed.
fn parse_head(head: &[u8]) -> Option<Request<'_>> {
    let text = std::str::from_utf8(head).ok()?;
    let mut lines = text.split("\r\n");
    let mut parts = lines.next()?.split(' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    let clean = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic());
    if parts.next().is_some() || !clean(method) || !clean(target) {
        return None;
    }
    let http11 = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => return None,
    };
    let mut request = Request {
        method,
        target,
        keep_alive: http11,
        has_body: false,
        header_bytes: 0,
    };
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        request.header_bytes += name.len() + value.len();
        if name.eq_ignore_ascii_case("connection") {
            let value = value.to_ascii_lowercase();
            if value.contains("close") {
                request.keep_alive = false;
            } else if value.contains("keep-alive") {
                request.keep_alive = true;
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding")
            || (name.eq_ignore_ascii_case("content-length") && value != "0")
        {
            request.has_body = true;
        }
    }
    Some(request)
}

/// Writes status line, headers and (unless HEAD) body in one write.
fn write_reply(
    stream: &mut TcpStream,
    reply: &Reply,
    head: bool,
    keep_alive: bool,
) -> io::Result<()> {
    let mut out = Vec::with_capacity(768 + if head { 0 } else { reply.body.len() });
    write!(
        out,
        "HTTP/1.1 {} {}\r\n",
        reply.status,
        reason(reply.status)
    )?;
    let common = COMMON_HEADERS
        .iter()
        .filter(|(name, _)| reply.header(name).is_none())
        .map(|(n, v)| (*n, *v));
    for (name, value) in common.chain(reply.headers.iter().map(|(n, v)| (*n, v.as_str()))) {
        write!(out, "{name}: {value}\r\n")?;
    }
    write!(
        out,
        "Content-Length: {}\r\nConnection: {}\r\nServer: permcat\r\n\r\n",
        reply.body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    )?;
    if !head {
        out.extend_from_slice(&reply.body);
    }
    stream.write_all(&out)?;
    stream.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_parse_with_keep_alive_and_bodies() {
        let r = parse_head(b"GET /a?b HTTP/1.1\r\nHost: x\r\nConnection: close").expect("parses");
        assert_eq!(
            (r.method, r.target, r.keep_alive, r.has_body),
            ("GET", "/a?b", false, false)
        );
        assert_eq!(r.header_bytes, "Host".len() + 1 + "Connection".len() + 5);
        let r = parse_head(b"GET / HTTP/1.0\r\nConnection: Keep-Alive").expect("parses");
        assert!(r.keep_alive);
        assert!(!parse_head(b"GET / HTTP/1.0").expect("parses").keep_alive);
        assert!(
            parse_head(b"POST / HTTP/1.1\r\nContent-Length: 3")
                .expect("parses")
                .has_body
        );
    }

    #[test]
    fn malformed_heads_are_refused() {
        for head in [
            &b"GET /\n HTTP/1.1"[..],
            b"GET / HTTP/2.0",
            b"GET  / HTTP/1.1",
            b"GET / HTTP/1.1 extra",
            b"GET /\x01 HTTP/1.1",
            b"GET / HTTP/1.1\r\nno colon",
            b"GET /\xff HTTP/1.1",
        ] {
            assert!(
                parse_head(head).is_none(),
                "{}",
                String::from_utf8_lossy(head)
            );
        }
    }
}
