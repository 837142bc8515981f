//! The preview's HTTP: hyper's HTTP/1.1 on a tokio runtime, files through tower-http's
//! `ServeFile`, gzip through its `CompressionLayer`.
//!
//! permcat's own path policy ([`super::Site::respond`]) runs first on every request and
//! names the one canonical file to send; `ServeFile` then streams it in 64 KiB chunks
//! (memory does not grow with the file or the number of readers) and answers `Range`
//! (206, 416), `If-None-Match` / `If-Modified-Since` (304) and HEAD. hyper parses the
//! request head strictly (a NUL in a header is 400) within a size limit (431,
//! then the connection closes) and a deadline for the whole head, which also ends idle
//! keep-alive connections. Every connection is a tokio task, so there is no pool for slow
//! or idle clients to fill: each costs a few kilobytes until the deadline cuts it off.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{header, HeaderValue, Request, Response, StatusCode};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpSocket};
use tokio::runtime::Runtime;
use tokio::sync::watch;
use tower::{ServiceBuilder, ServiceExt};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeFile;

use super::{Reply, Site, COMMON_HEADERS, MAX_HEADER_BYTES, MAX_URL_BYTES};

/// The whole request head (request line and headers) must arrive within this; a
/// keep-alive connection waiting for its next request is closed after it too.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// How long stopping waits for requests in flight.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// Pending connections the kernel queues before they are accepted.
const BACKLOG: u32 = 1024;

/// The largest request head hyper reads: the URL and header limits plus room for the
/// request line and the `: ` and CRLF of each header. Beyond it hyper answers 431 and
/// closes; within it, [`handle`] applies the finer limits (414, 431).
const MAX_HEAD_BYTES: usize = MAX_URL_BYTES + 2 * MAX_HEADER_BYTES;

/// Chunk size for file bodies.
const FILE_CHUNK: usize = 64 * 1024;

/// Most bytes hyper buffers per connection, read or queued to write (its default is
/// ~400 KiB): with a client that reads slowly, this and one file chunk are what the
/// connection holds.
const MAX_BUFFER: usize = 64 * 1024;

type Body = UnsyncBoxBody<Bytes, io::Error>;

/// A bound listener and the runtime it runs on, not yet answering.
pub(crate) struct Bound {
    runtime: Runtime,
    listener: TcpListener,
}

/// Binds `addr` on a new runtime (one worker thread per core).
pub(crate) fn bind(addr: SocketAddr) -> io::Result<Bound> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("permcat-http")
        .build()?;
    let listener = runtime.block_on(async {
        let socket = match addr {
            SocketAddr::V4(_) => TcpSocket::new_v4()?,
            SocketAddr::V6(_) => TcpSocket::new_v6()?,
        };
        socket.set_reuseaddr(true)?;
        socket.bind(addr)?;
        socket.listen(BACKLOG)
    })?;
    Ok(Bound { runtime, listener })
}

impl Bound {
    /// The address actually bound.
    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Starts answering requests for `site`.
    pub(crate) fn serve(self, site: Arc<Site>) -> Listening {
        let (stop, stopped) = watch::channel(false);
        let done = self
            .runtime
            .spawn(accept(self.listener, site, stopped.clone()));
        Listening {
            runtime: Some(self.runtime),
            stop,
            done: Some(done),
        }
    }
}

/// The accept loop and its connections.
pub(crate) struct Listening {
    runtime: Option<Runtime>,
    stop: watch::Sender<bool>,
    done: Option<tokio::task::JoinHandle<()>>,
}

impl Listening {
    /// Stops accepting, lets requests in flight finish (at most two seconds), then
    /// closes every connection.
    pub(crate) fn stop(&mut self) {
        let _ = self.stop.send(true);
        if let (Some(runtime), Some(done)) = (self.runtime.take(), self.done.take()) {
            let _ = runtime.block_on(done);
            runtime.shutdown_timeout(Duration::from_millis(100));
        }
    }
}

/// The HTTP/1.1 settings of every connection.
fn http1() -> hyper::server::conn::http1::Builder {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .max_header_size(MAX_HEAD_BYTES)
        .max_buf_size(MAX_BUFFER)
        .keep_alive(true);
    builder
}

async fn accept(listener: TcpListener, site: Arc<Site>, mut stop: watch::Receiver<bool>) {
    let http = http1();
    let graceful = GracefulShutdown::new();
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of descriptors or a connection reset before accept: try again
                    // shortly rather than spin; the kernel queues the rest.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        // Small replies go out at once instead of waiting for the client's delayed ACK.
        let _ = stream.set_nodelay(true);
        let site = site.clone();
        let service = ServiceBuilder::new()
            .map_response(weaken_etag_if_encoded)
            .layer(CompressionLayer::new())
            .service_fn(move |req| handle(site.clone(), req));
        let conn = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(STOP_GRACE, graceful.shutdown()).await;
}

/// Answers one request: the limits hyper leaves to us, then the site's answer, then the
/// headers every answer carries.
async fn handle(site: Arc<Site>, req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let header_bytes: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        let mut res = buffered(Reply::text(431, "request headers too large"));
        res.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return Ok(finish(res));
    }
    // Origin form (`/p?q`) as sent; absolute form (`http://host/p?q`) by its path.
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let reply = site.respond(req.method().as_str(), &target);
    let res = match reply.file.clone() {
        Some(path) => send_file(&site, &path, reply, req).await,
        None => buffered(reply),
    };
    Ok(finish(res))
}

/// Streams a file the policy allowed; ranges, validators and HEAD are `ServeFile`'s.
async fn send_file(
    site: &Site,
    path: &Path,
    reply: Reply,
    req: Request<Incoming>,
) -> Response<Body> {
    let (parts, _) = req.into_parts();
    let req = Request::from_parts(parts, Empty::<Bytes>::new());
    let served = ServeFile::new(path)
        .with_buf_chunk_size(FILE_CHUNK)
        .oneshot(req)
        .await;
    let res = match served {
        Ok(res) => res,
        Err(never) => match never {},
    };
    if res.status() == StatusCode::NOT_FOUND {
        // Gone between the check and the open: a rebuild is swapping the site.
        return buffered(site.not_found());
    }
    let (mut parts, body) = res.into_parts();
    if matches!(parts.status, StatusCode::OK | StatusCode::PARTIAL_CONTENT) {
        // permcat's own types (charset included), not the guess by extension.
        for (name, value) in &reply.headers {
            if let Ok(value) = HeaderValue::from_str(value) {
                parts.headers.insert(*name, value);
            }
        }
    }
    Response::from_parts(parts, body.map_err(io::Error::other).boxed_unsync())
}

/// A reply built in memory.
fn buffered(reply: Reply) -> Response<Body> {
    let mut res = Response::new(
        Full::new(Bytes::from(reply.body))
            .map_err(|never| match never {})
            .boxed_unsync(),
    );
    *res.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    for (name, value) in &reply.headers {
        if let Ok(value) = HeaderValue::from_str(value) {
            res.headers_mut().insert(*name, value);
        }
    }
    res
}

/// Adds the headers every answer carries, unless the reply set its own.
fn finish(mut res: Response<Body>) -> Response<Body> {
    let headers = res.headers_mut();
    for (name, value) in COMMON_HEADERS {
        if !headers.contains_key(name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    headers.insert(header::SERVER, HeaderValue::from_static("permcat"));
    res
}

/// A compressed body is not byte-for-byte the file, so its validator can only be weak;
/// `If-None-Match` compares weakly, so it still revalidates.
fn weaken_etag_if_encoded<B>(mut res: Response<B>) -> Response<B> {
    if res.headers().contains_key(header::CONTENT_ENCODING) {
        if let Some(etag) = res.headers().get(header::ETAG) {
            if !etag.as_bytes().starts_with(b"W/") {
                let mut weak = b"W/".to_vec();
                weak.extend_from_slice(etag.as_bytes());
                if let Ok(weak) = HeaderValue::from_bytes(&weak) {
                    res.headers_mut().insert(header::ETAG, weak);
                }
            }
        }
    }
    res
}
