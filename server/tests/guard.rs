//! What every answer goes through: the Host allowlist, the security headers, the embed
//! origins given to the page; and the listener's limits over real TCP on loopback.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use server::{AppState, Config, app};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

const LOADER: &str = "\nimport init from '/app-0123456789abcdef.js';\nawait init();\n";

fn dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("public")).unwrap();
    std::fs::write(
        dir.path().join("public/stackplan-embed.js"),
        "customElements.define('x-y', class extends HTMLElement {});",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        format!("<!doctype html><html><head><title>Stackplan</title><script type=\"module\">{LOADER}</script></head><body></body></html>"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("app-0123456789abcdef.js"),
        "export default 1;",
    )
    .unwrap();
    dir
}

fn config(dist: &std::path::Path) -> Config {
    Config {
        addr: "127.0.0.1:0".into(),
        dist: dist.to_path_buf(),
        embed_origins: vec!["https://console.example.com".into()],
        allowed_hosts: vec!["stackplan.example.com".into()],
        ..Config::default()
    }
}

async fn get(
    config: &Config,
    uri: &str,
    host: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut req = Request::get(uri);
    if let Some(h) = host {
        req = req.header(header::HOST, h);
    }
    let res = app(AppState::new(config.clone()))
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let d = dist();
    let c = config(d.path());
    let hash = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(LOADER.as_bytes()))
    };
    for (uri, host, status) in [
        ("/", Some("127.0.0.1:8080"), StatusCode::OK),
        ("/health", Some("localhost:8080"), StatusCode::OK),
        ("/app-0123456789abcdef.js", None, StatusCode::OK),
        (
            "/api/openapi.json",
            Some("stackplan.example.com"),
            StatusCode::OK,
        ),
        ("/api/nothing", None, StatusCode::NOT_FOUND),
        // A server that does not deploy says so, token or not.
        ("/api/deployments/x", None, StatusCode::SERVICE_UNAVAILABLE),
        (
            "/health",
            Some("evil.example:8080"),
            StatusCode::MISDIRECTED_REQUEST,
        ),
    ] {
        let (got, headers, body) = get(&c, uri, host).await;
        assert_eq!(got, status, "{uri} {host:?}: {body}");
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'self' https://console.example.com"),
            "{uri}: {csp}"
        );
        assert!(
            csp.contains(&format!(
                "script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}'"
            )),
            "{uri}: {csp}"
        );
        assert!(csp.contains("object-src 'none'"), "{uri}: {csp}");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{uri}");
        assert_eq!(headers[header::REFERRER_POLICY], "no-referrer", "{uri}");
        assert_eq!(
            headers["cross-origin-opener-policy"], "same-origin",
            "{uri}"
        );
        // X-Frame-Options cannot name the embed origins: the CSP alone speaks.
        assert!(headers.get(header::X_FRAME_OPTIONS).is_none(), "{uri}");
        // API answers are kept by no cache; the app's files keep their own rules.
        let cache = headers
            .get(header::CACHE_CONTROL)
            .map(|v| v.to_str().unwrap());
        if uri.starts_with("/api/") {
            assert_eq!(cache, Some("no-store"), "{uri}");
        } else {
            assert_ne!(cache, Some("no-store"), "{uri}");
        }
    }
    // With no site allowed to frame it, the planner says so to browsers too old for CSP.
    let alone = Config {
        embed_origins: Vec::new(),
        ..c
    };
    for uri in ["/", "/api/openapi.json"] {
        let (_, headers, _) = get(&alone, uri, None).await;
        assert_eq!(headers[header::X_FRAME_OPTIONS], "SAMEORIGIN", "{uri}");
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.ends_with("frame-ancestors 'self'"), "{csp}");
    }
}

/// A page on another site that rebinds its own name to 127.0.0.1 still sends its own name as
/// the Host: it gets 421, never the API.
#[tokio::test]
async fn a_foreign_host_name_gets_421_and_no_api() {
    let d = dist();
    let c = config(d.path());
    for host in [
        "attacker.example",
        "attacker.example:8080",
        "127.0.0.1.nip.io:8080",
    ] {
        for uri in [
            "/api/prices/us-east-1",
            "/api/deploy/target",
            "/",
            "/health",
        ] {
            let (status, _, body) = get(&c, uri, Some(host)).await;
            assert_eq!(status, StatusCode::MISDIRECTED_REQUEST, "{host} {uri}");
            let body: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(body["error"], "misdirected_request", "{host} {uri}");
            assert!(body["message"].as_str().unwrap().contains("--allowed-host"));
        }
    }
    for host in [
        "127.0.0.1:8080",
        "localhost",
        "[::1]:8080",
        "stackplan.example.com:443",
    ] {
        let (status, _, _) = get(&c, "/api/deploy/target", Some(host)).await;
        assert_eq!(status, StatusCode::OK, "{host}");
    }
}

#[tokio::test]
async fn the_page_names_its_embed_origins_and_other_files_are_untouched() {
    let d = dist();
    let c = config(d.path());
    for uri in ["/", "/index.html", "/some/client/route"] {
        let (status, headers, body) = get(&c, uri, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body.contains(r#"<meta name="stackplan-embed-origins" content="https://console.example.com" /></head>"#),
            "{uri}: {body}"
        );
        assert!(
            !headers.contains_key(header::CONTENT_LENGTH)
                || headers[header::CONTENT_LENGTH] == body.len().to_string().as_str()
        );
    }
    let (_, _, js) = get(&c, "/app-0123456789abcdef.js", None).await;
    assert_eq!(js, "export default 1;");
    // Without embed origins the page is served as built.
    let plain = Config {
        embed_origins: Vec::new(),
        ..c
    };
    let (_, _, body) = get(&plain, "/", None).await;
    assert!(!body.contains("stackplan-embed-origins"), "{body}");
}

/// A host page of another origin loads the embedding script as a module script, which browsers
/// fetch in CORS mode: it may, with only `--embed-origin` set (`--cors-origin` opens the API,
/// which a host that only plans does not need). Nothing else is opened by it.
#[tokio::test]
async fn the_embedding_script_loads_on_any_host_and_nothing_else_is_opened() {
    let d = dist();
    let c = config(d.path());
    assert!(c.cors_origins.is_empty());
    let answer = |uri: &'static str| {
        let c = c.clone();
        async move {
            let req = Request::get(uri)
                .header(header::ORIGIN, "https://console.example.com")
                .body(Body::empty())
                .unwrap();
            app(AppState::new(c)).oneshot(req).await.unwrap()
        }
    };
    let script = answer("/public/stackplan-embed.js").await;
    assert_eq!(script.status(), StatusCode::OK);
    assert_eq!(script.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert!(
        script.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript"),
        "{:?}",
        script.headers()
    );
    for uri in [
        "/",
        "/app-0123456789abcdef.js",
        "/api/openapi.json",
        "/health",
    ] {
        let res = answer(uri).await;
        assert!(
            !res.headers()
                .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN),
            "{uri}: {:?}",
            res.headers()
        );
    }
}

/// Serves the app on a loopback port with the given limits until `stop` fires.
async fn listen(
    config: Config,
    limits: server::http::Limits,
) -> (
    std::net::SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<bool>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = AppState::new(config);
    let shutdown = state.shutdown.clone();
    let task = tokio::spawn(server::http::serve(
        listener,
        app(state),
        limits,
        shutdown,
        async move {
            let _ = stopped.await;
        },
    ));
    (addr, stop, task)
}

/// Reads `stream` until the server closes it, which must happen within 20 s (a generous bound:
/// the limits under test are a few seconds at most), and returns what came.
async fn closed_within(stream: &mut tokio::net::TcpStream, what: &str) -> Vec<u8> {
    let mut got = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), async {
        let mut chunk = vec![0u8; 1 << 16];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "{what} was never closed");
    got
}

/// A client that sends half a request and then nothing is cut off once the header-read
/// timeout passes; meanwhile others are answered.
#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let d = dist();
    let limits = server::http::Limits {
        header_read_timeout: Duration::from_millis(500),
        ..server::http::Limits::default()
    };
    let (addr, stop, task) = listen(config(d.path()), limits).await;
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    let mut fine = tokio::net::TcpStream::connect(addr).await.unwrap();
    fine.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    fine.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // The slow one: the server closes it (perhaps after a 408), within a generous bound.
    let rest = closed_within(&mut slow, "the half-open connection").await;
    let text = String::from_utf8_lossy(&rest);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
    stop.send(()).unwrap();
    assert!(task.await.unwrap(), "shutdown left a connection open");
}

/// A client that connects and sends nothing, or only HTTP/2's preface, is cut off too. Before,
/// the listener waited for the first bytes to choose HTTP/1 or HTTP/2 without a timer, so such
/// connections held their slots for ever; now it speaks HTTP/1.1 only, whose header timer runs
/// from the connection's start.
#[tokio::test]
async fn a_client_that_sends_nothing_or_an_http2_preface_is_cut_off() {
    let d = dist();
    let limits = server::http::Limits {
        header_read_timeout: Duration::from_millis(500),
        ..server::http::Limits::default()
    };
    let (addr, stop, task) = listen(config(d.path()), limits).await;
    let silent = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut preface = tokio::net::TcpStream::connect(addr).await.unwrap();
    preface
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        .await
        .unwrap();
    for (name, mut stream) in [("silent", silent), ("preface", preface)] {
        let rest = closed_within(&mut stream, &format!("the {name} connection")).await;
        // No HTTP/2 SETTINGS frame: the answer, if any, is HTTP/1.1's.
        let text = String::from_utf8_lossy(&rest);
        assert!(
            text.is_empty() || text.starts_with("HTTP/1.1 "),
            "{name}: {text:?}"
        );
    }
    stop.send(()).unwrap();
    assert!(task.await.unwrap(), "shutdown left a connection open");
}

/// Sends one keep-alive request for `/health` on `stream` and reads its whole answer.
async fn ask_health(stream: &mut tokio::net::TcpStream) -> String {
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    // The answer is whole once its headers and its `content-length` bytes of body have come.
    loop {
        let n = tokio::time::timeout(Duration::from_secs(20), stream.read(&mut chunk))
            .await
            .expect("no answer")
            .unwrap();
        assert!(n > 0, "closed before the answer was whole");
        answer.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&answer).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(|v| v.trim().parse().unwrap())
                })
                .expect("a content-length");
            if answer.len() >= end + 4 + length {
                return text;
            }
        }
    }
}

fn kept_limits(header_ms: u64, idle_ms: u64) -> server::http::Limits {
    server::http::Limits {
        header_read_timeout: Duration::from_millis(header_ms),
        keep_alive_idle: Duration::from_millis(idle_ms),
        ..server::http::Limits::default()
    }
}

/// A kept connection may sit idle longer than the header timer between requests: a load
/// balancer keeps its connections to targets for 60 s, and a server that closed them after
/// the header timer's 10 s raced the balancer's next request (a 502 for the user). Before, hyper's
/// one header timer closed such a connection after the header timeout. An idle kept connection
/// does not hold up a shutdown.
#[tokio::test]
async fn a_kept_connection_may_idle_longer_than_the_header_timer() {
    let d = dist();
    let (addr, stop, task) = listen(config(d.path()), kept_limits(1_000, 20_000)).await;
    let mut kept = tokio::net::TcpStream::connect(addr).await.unwrap();
    assert!(ask_health(&mut kept).await.starts_with("HTTP/1.1 200"));
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let second = ask_health(&mut kept).await;
    assert!(second.starts_with("HTTP/1.1 200"), "{second}");
    // Shutdown closes the idle kept connection at once (the grace is 8 s).
    stop.send(()).unwrap();
    let stopped = tokio::time::timeout(Duration::from_secs(5), task).await;
    assert!(
        stopped
            .expect("shutdown waited for an idle kept connection")
            .unwrap(),
        "shutdown left a connection open"
    );
    drop(kept);
}

/// The idle limit closes a kept connection no request comes on.
#[tokio::test]
async fn an_idle_kept_connection_is_closed_at_the_idle_limit() {
    let d = dist();
    let (addr, stop, task) = listen(config(d.path()), kept_limits(1_000, 3_000)).await;
    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    assert!(ask_health(&mut idle).await.starts_with("HTTP/1.1 200"));
    let since = std::time::Instant::now();
    let rest = closed_within(&mut idle, "the idle kept connection").await;
    assert!(
        since.elapsed() >= Duration::from_millis(2_000),
        "closed after {:?}: before the idle limit",
        since.elapsed()
    );
    assert!(rest.is_empty(), "{:?}", String::from_utf8_lossy(&rest));
    stop.send(()).unwrap();
    assert!(task.await.unwrap(), "shutdown left a connection open");
}

/// On a kept connection, a request that starts and stalls is cut off by the header timer,
/// counted from its first byte (not from when the connection went idle, and not at the idle
/// limit); bytes trickled after the first do not move that deadline.
#[tokio::test]
async fn a_request_stalled_in_its_headers_on_a_kept_connection_is_cut_off() {
    let d = dist();
    let (addr, stop, task) = listen(config(d.path()), kept_limits(1_000, 60_000)).await;
    let mut stalled = tokio::net::TcpStream::connect(addr).await.unwrap();
    assert!(ask_health(&mut stalled).await.starts_with("HTTP/1.1 200"));
    // Idle longer than the header timer: still open.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert!(ask_health(&mut stalled).await.starts_with("HTTP/1.1 200"));
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let since = std::time::Instant::now();
    let mut closed_while_trickling = false;
    for byte in b"GET /health HTTP/1.1\r\nHost: 127.0.0.1" {
        if stalled.write_all(&[*byte]).await.is_err() {
            closed_while_trickling = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
        if since.elapsed() > Duration::from_secs(5) {
            break;
        }
    }
    let rest = closed_within(&mut stalled, "the stalled request's connection").await;
    let after = since.elapsed();
    // Cut off about 1 s after its first byte: not before, and well before the trickle's last
    // byte (about 5 s), so the deadline did not move with the bytes; far from the 60 s idle
    // limit too.
    assert!(
        after >= Duration::from_millis(800) && after < Duration::from_secs(4),
        "closed {after:?} after the request began (trickling cut: {closed_while_trickling})"
    );
    let text = String::from_utf8_lossy(&rest);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
    stop.send(()).unwrap();
    assert!(task.await.unwrap(), "shutdown left a connection open");
}

/// A client that asks for a large answer and reads nothing is given up once a write has made
/// no progress for the stall limit, freeing its slot; before, it held the connection for ever.
#[tokio::test]
async fn a_client_that_stops_reading_is_given_up() {
    let d = dist();
    // Random bytes (no compression makes them smaller), far more than the kernel's buffers.
    let size = 48 << 20;
    let mut big = vec![0u8; size];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for chunk in big.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
    }
    std::fs::write(d.path().join("big.bin"), &big).unwrap();
    let limits = server::http::Limits {
        write_stall: Duration::from_millis(500),
        ..server::http::Limits::default()
    };
    let (addr, stop, task) = listen(config(d.path()), limits).await;
    let mut idle_reader = tokio::net::TcpStream::connect(addr).await.unwrap();
    idle_reader
        .write_all(b"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    // Reads nothing for well past the stall limit...
    tokio::time::sleep(Duration::from_secs(3)).await;
    // ...then finds the answer cut short: what the kernel had buffered, then the end.
    let got = closed_within(&mut idle_reader, "the unread answer's connection").await;
    // The answer began as the whole file's: a 200 with its length.
    let head = String::from_utf8_lossy(&got[..got.len().min(1024)]).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(
        head.contains(&format!("content-length: {size}\r\n")),
        "{head}"
    );
    assert!(
        got.len() < size,
        "the whole answer came ({} bytes): the stalled write was never given up",
        got.len()
    );
    stop.send(()).unwrap();
    assert!(task.await.unwrap(), "shutdown left a connection open");
}

/// Idle kept connections give way while the slots run low: with fewer than an eighth of them
/// free, an idle kept connection gets the header timeout instead of the idle limit, so that
/// clients sending a request now and then must send far more often to hold every slot. Those
/// idle past the header timeout are closed at once.
#[tokio::test]
async fn idle_kept_connections_give_way_when_the_slots_run_low() {
    let d = dist();
    let limits = server::http::Limits {
        max_connections: 8,
        ..kept_limits(1_000, 60_000)
    };
    let (addr, stop, task) = listen(config(d.path()), limits).await;
    let mut idle = Vec::new();
    for _ in 0..7 {
        let mut kept = tokio::net::TcpStream::connect(addr).await.unwrap();
        assert!(ask_health(&mut kept).await.starts_with("HTTP/1.1 200"));
        idle.push(kept);
    }
    let closed = |idle: &[tokio::net::TcpStream]| {
        idle.iter()
            .filter(|kept| {
                let mut byte = [0u8; 1];
                !matches!(kept.try_read(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
            })
            .count()
    };
    // 1 slot of 8 free (an eighth): the idle ones outlive the header timeout.
    tokio::time::sleep(Duration::from_millis(2_000)).await;
    assert_eq!(
        closed(&idle),
        0,
        "idle kept connections were closed with slots to spare"
    );
    // The last slot taken: idle ones are closed at once (their header time is long past), far
    // before the 60 s idle limit, and the newcomer is served.
    let since = std::time::Instant::now();
    let mut newcomer = tokio::net::TcpStream::connect(addr).await.unwrap();
    while closed(&idle) == 0 && since.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let after = since.elapsed();
    assert!(
        closed(&idle) > 0 && after < Duration::from_secs(5),
        "no idle kept connection gave way within {after:?}"
    );
    assert!(ask_health(&mut newcomer).await.starts_with("HTTP/1.1 200"));
    stop.send(()).unwrap();
    assert!(task.await.unwrap(), "shutdown left a connection open");
}

/// While the slots run low, every answer says `Connection: close`, so its client (a balancer's
/// pool) does not send on that connection again and its slot comes free without a race; once
/// a quarter of the slots are free again, connections are kept as before.
#[tokio::test]
async fn answers_close_their_connections_while_the_slots_run_low() {
    let d = dist();
    let limits = server::http::Limits {
        max_connections: 8,
        ..kept_limits(10_000, 60_000)
    };
    let (addr, stop, task) = listen(config(d.path()), limits).await;
    // Seven connections that have not sent their first request yet: not idle, so not closed.
    let mut silent = Vec::new();
    for _ in 0..7 {
        silent.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }
    let mut last = tokio::net::TcpStream::connect(addr).await.unwrap();
    let answer = ask_health(&mut last).await.to_ascii_lowercase();
    assert!(answer.starts_with("http/1.1 200"), "{answer}");
    assert!(answer.contains("\r\nconnection: close\r\n"), "{answer}");
    drop(last);
    drop(silent);
    // Once the silent ones are gone, answers keep their connections again.
    let since = std::time::Instant::now();
    loop {
        let mut kept = tokio::net::TcpStream::connect(addr).await.unwrap();
        let answer = ask_health(&mut kept).await.to_ascii_lowercase();
        if !answer.contains("connection: close") {
            break;
        }
        assert!(
            since.elapsed() < Duration::from_secs(10),
            "answers still close their connections: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.send(()).unwrap();
    assert!(task.await.unwrap(), "shutdown left a connection open");
}
