//! The server under load and faults, measured: prints figures, asserts nothing about time.
//!
//! `cargo bench -p server --bench load` (or `scripts/measure-server.sh`, which builds the
//! release binary first for the idle-memory figure). Everything runs on loopback against the
//! real listener (`server::http::serve`) and the real deploy service, with the scripted
//! CloudFormation double of the tests (`tests/support/doubles.rs`) as AWS; every loop is
//! bounded and every server stops by itself. `LOAD_SECONDS` (default 60) sets how long the
//! fan-out stack takes to deploy.
//!
//! It does check correctness, and exits non-zero if any is wrong: every watcher gets every
//! event once, in order, and `done`; reconnects resume without a gap or a duplicate.

#[path = "../tests/support/doubles.rs"]
mod doubles;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use doubles::{CfnDouble, StsDouble, TOKEN};
use http_body_util::BodyExt;
use server::aws::Backoff;
use server::deploy::id::IdKey;
use server::deploy::service::{AccountRoles, DeployConfig, Deployer};
use server::{AppState, Config, app};
use shared::api::{Target, sse};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tower::ServiceExt;

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn percentile(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

/// A deploy service on the double, with a poll of `base` while events arrive.
fn deployer(cfn: Arc<CfnDouble>, base: Duration) -> (Arc<Deployer>, AppState) {
    let mut config = DeployConfig::new(Target::Aws, IdKey::from_hex(&"5a".repeat(32)).unwrap());
    config.roles = vec![AccountRoles {
        role_arn: doubles::ROLE.into(),
        external_id: Some("stackplan-load".into()),
        execution_role_arn: Some(format!(
            "arn:aws:iam::{}:role/stackplan-execution",
            doubles::ACCOUNT
        )),
        permissions_boundary_arn: None,
        settings_prefixes: vec!["stackplan/".into()],
        hosted_zone_ids: vec!["ZALLOWED".into()],
    }];
    config.backoff = Backoff {
        base,
        max: base * 4,
        attempts: 4,
    };
    let deployer = Arc::new(Deployer::new(
        config,
        Arc::new(StsDouble::default()),
        cfn.clone(),
        Arc::new(doubles::EcrDouble::default()),
        Arc::new(doubles::StoresDouble::default()),
        Arc::new(doubles::CodeStoreDouble::default()),
    ));
    let state = AppState::new(Config {
        max_streams_per_token: 100_000,
        ..Config::default()
    })
    .with_deployer(
        deployer.clone(),
        server::auth::Tokens::from_list(TOKEN).unwrap(),
    );
    (deployer, state)
}

fn scripted(resources: usize) -> Arc<CfnDouble> {
    let cfn = Arc::new(CfnDouble::default());
    let names: Vec<String> = (0..resources).map(|i| format!("Topic{i}")).collect();
    let list: Vec<(&str, &str)> = names
        .iter()
        .map(|n| (n.as_str(), "AWS::SNS::Topic"))
        .collect();
    cfn.script_success(&list);
    cfn
}

async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    body: Option<String>,
) -> serde_json::Value {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    let res = app(state.clone())
        .oneshot(req.body(body.map(Body::from).unwrap_or_default()).unwrap())
        .await
        .unwrap();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap_or_default()
}

/// Creates a stack (it starts at once); answers its deployment id.
async fn start_stack(state: &AppState, name: &str) -> String {
    let plan = shared::examples::for_kind(shared::plan::ArchitectureKind::Lambda).to_json_pretty();
    let body = format!(r#"{{"plan": {plan}, "stack_name": "{name}"}}"#);
    let created = call(state, "POST", "/api/deployments", Some(body)).await;
    created["id"].as_str().expect("created").to_string()
}

async fn listen(
    state: AppState,
    limits: server::http::Limits,
) -> (
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<bool>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
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

/// One watcher over HTTP/1.0: the stream's events `(event, id)` and when it ended. Read and
/// parsed as it arrives, keeping only the ids, so the clients add little to the memory figure.
async fn watch(
    addr: SocketAddr,
    id: &str,
    last: Option<&str>,
) -> (Vec<(&'static str, Option<u32>)>, Instant) {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let resume = last
        .map(|l| format!("Last-Event-ID: {l}\r\n"))
        .unwrap_or_default();
    s.write_all(
        format!("GET /api/deployments/{id}/events HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n{resume}\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut parser = sse::Parser::new();
    let mut events = Vec::new();
    let mut head = Vec::new();
    let mut in_body = false;
    let mut buf = vec![0u8; 4096];
    loop {
        let n = s.read(&mut buf).await.unwrap_or(0);
        if n == 0 {
            break;
        }
        let chunk = if in_body {
            &buf[..n]
        } else {
            head.extend_from_slice(&buf[..n]);
            match head.windows(4).position(|w| w == b"\r\n\r\n") {
                Some(i) => {
                    in_body = true;
                    let body = head.split_off(i + 4);
                    buf[..body.len()].copy_from_slice(&body);
                    &buf[..body.len()]
                }
                None => continue,
            }
        };
        for m in parser.push(&String::from_utf8_lossy(chunk)) {
            let id = (m.event_type() == "stack").then(|| m.id.clone()).flatten();
            let kind = match m.event_type() {
                "stack" => "stack",
                "notice" => "notice",
                "done" => "done",
                "error" => "error",
                "reconnect" => "reconnect",
                _ => "other",
            };
            events.push((kind, id.as_deref().map(seq)));
        }
    }
    (events, Instant::now())
}

/// The sequence number that ends every event id of the double (`Topic7-CREATE_COMPLETE-0023`).
fn seq(id: &str) -> u32 {
    id.rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(u32::MAX)
}

struct Failures(Mutex<Vec<String>>);

impl Failures {
    fn check(&self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            let w = what();
            println!("  WRONG: {w}");
            self.0.lock().unwrap().push(w);
        }
    }
}

async fn fan_out(seconds: u64, failures: &Failures) {
    const WATCHERS: usize = 1000;
    const RECONNECTS: usize = 200;
    // 99 resources: 297 resource events and the stack's 2, one revealed per poll.
    let cfn = scripted(99);
    let base = Duration::from_millis(seconds * 1000 / 300);
    let (deployer, state) = deployer(cfn.clone(), base);
    let streams = state.streams.clone();
    let (addr, stop, server) = listen(
        state.clone(),
        server::http::Limits {
            max_connections: 4096,
            ..Default::default()
        },
    )
    .await;
    let me = std::process::id();
    let rss_before = rss_kib(me);
    let id = start_stack(&state, "fan-out").await;
    let started = Instant::now();
    let watchers: Vec<_> = (0..WATCHERS)
        .map(|_| {
            let id = id.clone();
            tokio::spawn(async move { watch(addr, &id, None).await })
        })
        .collect();
    // Sample while it deploys: pollers, streams, memory, and when the stack settles.
    let mut peak_rss = rss_before;
    let mut max_pollers = 0;
    let mut max_streams = 0;
    let mut settled = None;
    let mut reconnects = Vec::new();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    while settled.is_none() && started.elapsed() < Duration::from_secs(seconds * 3 + 30) {
        tokio::time::sleep(Duration::from_millis(20)).await;
        peak_rss = peak_rss.max(rss_kib(me));
        max_pollers = max_pollers.max(deployer.pollers());
        max_streams = max_streams.max(streams.total());
        let (revealed, status) = {
            let stacks = cfn.stacks.lock().unwrap();
            let s = stacks.iter().find(|s| s.name == "fan-out").unwrap();
            (
                s.events.iter().map(|e| e.id.clone()).collect::<Vec<_>>(),
                s.status(),
            )
        };
        if status == "CREATE_COMPLETE" {
            settled = Some(Instant::now());
        }
        // Reconnects with a random Last-Event-ID among the events so far, spread over the deploy.
        if reconnects.len() < RECONNECTS && revealed.len() > 2 {
            for _ in 0..1 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let last = revealed[(seed >> 33) as usize % revealed.len()].clone();
                let id = id.clone();
                reconnects.push((
                    last.clone(),
                    tokio::spawn(async move { watch(addr, &id, Some(&last)).await }),
                ));
            }
        }
    }
    let settled = settled.expect("the stack settles");
    let deploy_time = settled - started;
    let all: Vec<u32> = {
        let stacks = cfn.stacks.lock().unwrap();
        let s = stacks.iter().find(|s| s.name == "fan-out").unwrap();
        // The stream carries the current operation: from the stack's CREATE_IN_PROGRESS on.
        s.events
            .iter()
            .skip_while(|e| e.status == "REVIEW_IN_PROGRESS")
            .map(|e| seq(&e.id))
            .collect()
    };
    let mut to_done = Vec::new();
    for w in watchers {
        let (events, ended) = w.await.unwrap();
        let ids: Vec<u32> = events
            .iter()
            .filter(|e| e.0 == "stack")
            .filter_map(|e| e.1)
            .collect();
        failures.check(ids == all, || {
            let at = ids
                .iter()
                .zip(&all)
                .position(|(a, b)| a != b)
                .unwrap_or(ids.len().min(all.len()));
            format!(
                "a watcher got {} of {} events; first difference at {at}: {:?} against {:?}",
                ids.len(),
                all.len(),
                ids.get(at),
                all.get(at)
            )
        });
        failures.check(events.last().map(|e| e.0) == Some("done"), || {
            "a watcher had no done".into()
        });
        to_done.push(ended.saturating_duration_since(settled));
    }
    let mut resumed = 0;
    for (last, r) in reconnects {
        let (events, _) = r.await.unwrap();
        let ids: Vec<u32> = events
            .iter()
            .filter(|e| e.0 == "stack")
            .filter_map(|e| e.1)
            .collect();
        let from = all
            .iter()
            .position(|e| *e == seq(&last))
            .map_or(0, |i| i + 1);
        failures.check(ids == all[from..], || {
            format!(
                "a reconnect after {last} got {} events, expected {}",
                ids.len(),
                all.len() - from
            )
        });
        let unique: HashSet<_> = ids.iter().collect();
        failures.check(unique.len() == ids.len(), || {
            "a reconnect got a duplicate".into()
        });
        resumed += 1;
    }
    tokio::time::sleep(base * 2).await;
    let pollers_after = deployer.pollers();
    println!(
        "SSE fan-out: {WATCHERS} watchers + {resumed} reconnects on one stack, {} events over {:.1} s",
        all.len(),
        deploy_time.as_secs_f64()
    );
    println!("  watchers held at once (peak): {max_streams}");
    println!("  pollers: at most {max_pollers} while watched, {pollers_after} after");
    // Every watcher here comes with the poller's roles: none reads the stack itself.
    let describes = cfn
        .calls
        .lock()
        .unwrap()
        .iter()
        .filter(|c| **c == "stack")
        .count();
    println!(
        "  DescribeStacks calls: {describes} for {} watchers and reconnects (the poller's own reads and the deploy's)",
        WATCHERS + resumed
    );
    println!(
        "  time from the stack settling to `done`: p50 {:?}, p99 {:?}, max {:?}",
        percentile(to_done.clone(), 0.5),
        percentile(to_done.clone(), 0.99),
        percentile(to_done, 1.0)
    );
    println!(
        "  memory (this process, server and clients): {} before, {} peak, growth {}",
        mib(rss_before),
        mib(peak_rss),
        mib(peak_rss.saturating_sub(rss_before))
    );
    failures.check(max_pollers == 1, || {
        format!("{max_pollers} pollers for one stack")
    });

    // Every client killed mid-deploy: no poller left within one poll interval.
    let cfn2 = scripted(99);
    let (deployer2, state2) = self::deployer(cfn2, base);
    let (addr2, stop2, server2) = listen(state2.clone(), Default::default()).await;
    let id2 = start_stack(&state2, "abandoned").await;
    let mut conns = Vec::new();
    for _ in 0..100 {
        let mut s = TcpStream::connect(addr2).await.unwrap();
        s.write_all(format!("GET /api/deployments/{id2}/events HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n\r\n").as_bytes()).await.unwrap();
        let mut first = [0u8; 256];
        let _ = s.read(&mut first).await;
        conns.push(s);
    }
    tokio::time::sleep(base * 5).await;
    let during = deployer2.pollers();
    drop(conns);
    let dropped = Instant::now();
    while deployer2.pollers() > 0 && dropped.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    println!(
        "  100 clients killed mid-deploy: {during} poller before, {} after {:?} (poll interval up to {:?})",
        deployer2.pollers(),
        dropped.elapsed(),
        base * 4
    );
    failures.check(deployer2.pollers() == 0, || {
        "a poller outlived its watchers".into()
    });
    let _ = stop2.send(());
    let _ = server2.await;
    let _ = stop.send(());
    let _ = server.await;
}

async fn slow_clients(failures: &Failures) {
    const SLOW: usize = 500;
    let state = AppState::new(Config::default());
    let (addr, stop, server) = listen(state, Default::default()).await;
    let mut idle = Vec::new();
    for i in 0..SLOW {
        let mut s = TcpStream::connect(addr).await.unwrap();
        if i % 2 == 0 {
            let _ = s
                .write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                .await; // never finished
        }
        idle.push(s);
    }
    let mut times = Vec::new();
    for _ in 0..300 {
        let t = Instant::now();
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            .await
            .unwrap();
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer).await;
        failures.check(answer.starts_with("HTTP/1.0 200"), || {
            format!("/health answered {answer:?}")
        });
        times.push(t.elapsed());
    }
    println!(
        "Slow clients: {SLOW} idle or half-open connections; /health p50 {:?}, p99 {:?} over 300 requests",
        percentile(times.clone(), 0.5),
        percentile(times, 0.99)
    );
    drop(idle);
    let _ = stop.send(());
    let _ = server.await;
}

async fn faults(failures: &Failures) {
    println!("Faults (scripted CloudFormation double):");
    for fault in ["hang", "panic", "503 x10", "throttle x10"] {
        let cfn = scripted(5);
        let (_, state) = deployer(cfn.clone(), Duration::from_millis(50));
        let (addr, stop, server) = listen(state.clone(), Default::default()).await;
        let id = start_stack(&state, "faulty").await;
        match fault {
            "hang" => cfn.hang.lock().unwrap().push("events"),
            "panic" => cfn.panic.lock().unwrap().push("events"),
            _ => {
                for _ in 0..10 {
                    cfn.fail_next(
                        "events",
                        if fault.starts_with("503") {
                            server::aws::AwsError::Other("InternalFailure (HTTP 503)".into())
                        } else {
                            server::aws::AwsError::Throttled("Rate exceeded".into())
                        },
                    );
                }
            }
        }
        let t = Instant::now();
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(format!("GET /api/deployments/{id}/events HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n\r\n").as_bytes()).await.unwrap();
        let mut seen = String::new();
        let mut first_word = None;
        let mut buf = [0u8; 4096];
        while t.elapsed() < Duration::from_secs(20) {
            match tokio::time::timeout(Duration::from_millis(200), s.read(&mut buf)).await {
                Ok(Ok(0)) => break,
                Ok(Ok(n)) => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
                _ => {}
            }
            if first_word.is_none()
                && (seen.contains("event: notice") || seen.contains("event: error"))
            {
                first_word = Some(t.elapsed());
                if fault == "hang" || fault == "panic" {
                    break;
                }
            }
        }
        let ended_with = if seen.contains("event: done") {
            "done"
        } else if seen.contains("event: error") {
            "error"
        } else {
            "still open"
        };
        let health = call(&state, "GET", "/health", None).await;
        println!(
            "  {fault:<13} first notice or error after {:?}; stream: {ended_with}; server up: {}",
            first_word.unwrap_or_default(),
            health["status"] == "ok"
        );
        failures.check(
            first_word.is_some_and(|w| w < Duration::from_secs(5)),
            || format!("{fault}: no word within 5 s"),
        );
        cfn.hang.lock().unwrap().clear();
        let _ = stop.send(());
        let _ = server.await;
    }
    // A create POST against a CloudFormation that hangs.
    let cfn = scripted(5);
    cfn.hang.lock().unwrap().push("create_stack");
    let (_, state) = deployer(cfn, Duration::from_millis(50));
    let t = Instant::now();
    let plan = shared::examples::for_kind(shared::plan::ArchitectureKind::Lambda).to_json_pretty();
    let answer = call(
        &state,
        "POST",
        "/api/deployments",
        Some(format!(r#"{{"plan": {plan}, "stack_name": "hung"}}"#)),
    )
    .await;
    println!(
        "  POST with a hung CreateStack answered `{}` after {:?}",
        answer["error"].as_str().unwrap_or("?"),
        t.elapsed()
    );
}

async fn prices(failures: &Failures) {
    use server::prices::PriceService;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("book.tsv");
    std::fs::write(&file, shared::cost::PriceBook::embedded().to_tsv()).unwrap();
    let cached = Arc::new(PriceService::from_file(&file).unwrap());
    let state = AppState::new(Config::default()).with_prices(cached);
    let regions = [
        "us-east-1",
        "us-west-2",
        "eu-west-1",
        "eu-central-1",
        "ap-southeast-1",
        "ap-northeast-1",
    ];
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let state = state.clone();
            let region = regions[i % 6];
            tokio::spawn(async move {
                let t = Instant::now();
                let res = app(state)
                    .oneshot(
                        Request::get(format!("/api/prices/{region}"))
                            .body(Body::empty())
                            .unwrap(),
                    )
                    .await
                    .unwrap();
                let ok = res.status() == StatusCode::OK;
                let _ = res.into_body().collect().await;
                (ok, t.elapsed())
            })
        })
        .collect();
    let mut times = Vec::new();
    for t in tasks {
        let (ok, d) = t.await.unwrap();
        failures.check(ok, || "a price request failed".into());
        times.push(d);
    }
    println!(
        "Prices: 200 concurrent requests over 6 cached regions: p50 {:?}, p99 {:?}",
        percentile(times.clone(), 0.5),
        percentile(times, 0.99)
    );
}

async fn shutdown(failures: &Failures) {
    let cfn = scripted(2000);
    let (_, state) = deployer(cfn, Duration::from_millis(20));
    let (addr, stop, server) = listen(state.clone(), Default::default()).await;
    let id = start_stack(&state, "restarting").await;
    let streams: Vec<_> = (0..10)
        .map(|_| {
            let id = id.clone();
            tokio::spawn(async move { watch(addr, &id, None).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let t = Instant::now();
    let _ = stop.send(());
    let clean = server.await.unwrap();
    let stopped = t.elapsed();
    let mut told = 0;
    for s in streams {
        let (events, _) = s.await.unwrap();
        if events.last().map(|e| e.0) == Some("reconnect") {
            told += 1;
        }
    }
    println!(
        "Shutdown: 10 open streams; stopped in {stopped:?} (clean: {clean}); {told} of 10 got `reconnect`"
    );
    failures.check(told == 10 && clean, || {
        "shutdown left a stream without its final event".into()
    });
}

/// The release binary, idle and after some requests, and how fast it stops on SIGTERM.
async fn idle_memory() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let bin = root.join("target/release/stackplan");
    let dist = root.join("dist");
    if !bin.is_file() || !dist.join("index.html").is_file() {
        println!(
            "Idle memory: skipped (build the release binary and the app first: scripts/measure-server.sh does)"
        );
        return;
    }
    let mut child = tokio::process::Command::new(&bin)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--offline-prices",
            "--dist",
        ])
        .arg(&dist)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut text = String::new();
    let mut buf = [0u8; 1024];
    let addr = loop {
        let n = out.read(&mut buf).await.unwrap();
        text.push_str(&String::from_utf8_lossy(&buf[..n]));
        if let Some(i) = text.find("running at http://") {
            let rest = &text[i + "running at http://".len()..];
            if let Some(end) = rest.find('/') {
                break rest[..end].to_string();
            }
        }
        if n == 0 {
            println!("Idle memory: the server did not start: {text}");
            return;
        }
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = rss_kib(pid);
    for path in ["/health", "/", "/api/prices/us-east-1", "/api/openapi.json"]
        .iter()
        .cycle()
        .take(200)
    {
        let mut s = TcpStream::connect(&addr).await.unwrap();
        s.write_all(format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut sink = Vec::new();
        let _ = s.read_to_end(&mut sink).await;
    }
    let warm = rss_kib(pid);
    let t = Instant::now();
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let status = child.wait().await.unwrap();
    println!(
        "Idle memory (release binary): {} idle, {} after 200 requests; SIGTERM to exit {:?} ({status})",
        mib(idle),
        mib(warm),
        t.elapsed()
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let seconds: u64 = std::env::var("LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let failures = Failures(Mutex::default());
    idle_memory().await;
    prices(&failures).await;
    slow_clients(&failures).await;
    faults(&failures).await;
    shutdown(&failures).await;
    fan_out(seconds, &failures).await;
    let wrong = failures.0.into_inner().unwrap();
    if !wrong.is_empty() {
        eprintln!("{} check(s) failed", wrong.len());
        std::process::exit(1);
    }
}
