//! What every request and answer goes through: the Host allowlist (DNS rebinding), a time
//! limit on every answer but the event streams, and the security headers of a page that other
//! consoles embed.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// The longest any answer but an event stream may take. A change set that CloudFormation is
/// still computing then answers `timed_out`; the same request again finds that change set.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The names a server answers for: the loopback names always, plus `--allowed-host` and the
/// address it listens on (when that is a specific one).
#[derive(Clone, Debug, Default)]
pub struct AllowedHosts {
    names: Vec<String>,
}

/// Loopback names: a page on another site can only reach these through DNS rebinding, and
/// rebinding needs a name of the attacker's, which is never one of these.
const LOOPBACK: [&str; 4] = ["localhost", "127.0.0.1", "[::1]", "::1"];

impl AllowedHosts {
    /// `extra`: names (`stackplan.example.com`) or names with a port
    /// (`stackplan.example.com:8443`); `listen`: the `--addr` the server binds.
    pub fn new(extra: &[String], listen: &str) -> AllowedHosts {
        let mut names: Vec<String> = extra
            .iter()
            .map(|n| n.trim().to_ascii_lowercase())
            .collect();
        if let Some((host, _)) = listen.rsplit_once(':') {
            let unspecified = matches!(host, "0.0.0.0" | "[::]" | "::" | "");
            if !unspecified {
                names.push(host.to_ascii_lowercase());
            }
        }
        names.retain(|n| !n.is_empty());
        AllowedHosts { names }
    }

    /// Whether a `Host` value (`name` or `name:port`) is one this server answers for.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        let name = split_port(&host);
        LOOPBACK.contains(&name)
            || name.ends_with(".localhost")
            || self.names.iter().any(|n| *n == host || *n == name)
    }

    /// The configured names, for the start-up message.
    pub fn configured(&self) -> &[String] {
        &self.names
    }
}

/// `example.com:8080` → `example.com`; `[::1]:8080` → `[::1]`; no port → as is.
fn split_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |i| &host[..=i]);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// The headers every answer carries.
#[derive(Clone, Debug)]
pub struct Headers {
    csp: HeaderValue,
    /// `SAMEORIGIN` when no other site may frame the planner: what `frame-ancestors 'self'`
    /// says, for browsers too old to read it. With embed origins only the CSP speaks, since
    /// `X-Frame-Options` cannot name them.
    frame_options: Option<HeaderValue>,
}

impl Headers {
    /// `embed_origins`: the sites allowed to frame the planner (`--embed-origin`);
    /// `index_html`: the built page, whose inline loader script is allowed by its hash.
    pub fn new(embed_origins: &[String], index_html: Option<&str>) -> Headers {
        let mut script = vec!["'self'".to_string(), "'wasm-unsafe-eval'".to_string()];
        script.extend(index_html.into_iter().flat_map(inline_script_hashes));
        let mut frame_ancestors = vec!["'self'".to_string()];
        frame_ancestors.extend(embed_origins.iter().cloned());
        let csp = [
            "default-src 'self'".to_string(),
            format!("script-src {}", script.join(" ")),
            // Leptos sets `style` attributes (bar widths); no style can run code.
            "style-src 'self' 'unsafe-inline'".to_string(),
            "img-src 'self' data: blob:".to_string(),
            "connect-src 'self'".to_string(),
            "object-src 'none'".to_string(),
            "base-uri 'none'".to_string(),
            "form-action 'none'".to_string(),
            format!("frame-ancestors {}", frame_ancestors.join(" ")),
        ]
        .join("; ");
        Headers {
            csp: HeaderValue::from_str(&csp).expect("origins were checked at start"),
            frame_options: embed_origins
                .is_empty()
                .then(|| HeaderValue::from_static("SAMEORIGIN")),
        }
    }

    fn apply(&self, response: &mut Response, api: bool) {
        let h = response.headers_mut();
        if let Some(frame_options) = &self.frame_options {
            h.insert(header::X_FRAME_OPTIONS, frame_options.clone());
        }
        // API answers are the caller's alone (a bootstrap's fresh ExternalId, a stack's
        // outputs, the token's owner): no cache keeps them, a browser's disk cache included.
        if api && !h.contains_key(header::CACHE_CONTROL) {
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        h.insert(header::CONTENT_SECURITY_POLICY, self.csp.clone());
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        h.insert(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        );
    }
}

/// The `'sha256-…'` sources of a page's inline scripts (the planner's start script is one).
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body_start = open_end + 1;
        let Some(close) = after[body_start..].find("</script>") else {
            break;
        };
        let body = &after[body_start..body_start + close];
        if !tag.contains(" src=") && !body.trim().is_empty() {
            let digest = Sha256::digest(body.as_bytes());
            let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
            out.push(format!("'sha256-{b64}'"));
        }
        rest = &after[body_start + close..];
    }
    out
}

/// Everything the guard needs, built once at start.
#[derive(Clone, Debug)]
pub struct Guard {
    pub hosts: AllowedHosts,
    pub headers: Headers,
}

impl Guard {
    pub fn from_config(config: &crate::Config) -> Arc<Guard> {
        let index = std::fs::read_to_string(config.dist.join("index.html")).ok();
        Arc::new(Guard {
            hosts: AllowedHosts::new(&config.allowed_hosts, &config.addr),
            headers: Headers::new(&config.embed_origins, index.as_deref()),
        })
    }
}

/// The outer middleware: refuses a foreign `Host` (421) and adds the security headers to
/// every answer, errors and CORS preflights included.
pub async fn guard(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| request.uri().authority().map(|a| a.to_string()));
    let api = request.uri().path().starts_with("/api/");
    let mut response = match host {
        // A request without a Host (HTTP/1.0, or an in-process call) did not come from a
        // browser page, which always sends one.
        Some(host) if !guard.hosts.allows(&host) => ApiError::MisdirectedHost.into_response(),
        _ => next.run(request).await,
    };
    guard.headers.apply(&mut response, api);
    response
}

/// The inner middleware, inside CORS (so that an allowed console can read its answer):
/// limits the time of every answer but the event streams, whose routes limit the work before
/// their first byte themselves.
pub async fn time_limit(request: Request, next: Next) -> Response {
    if is_stream(&request) {
        return next.run(request).await;
    }
    match tokio::time::timeout(limit_of(&request), next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::TimedOut.into_response(),
    }
}

/// A code upload (up to 50 MB on a slow uplink, then into S3) gets longer than other answers.
pub const UPLOAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

fn limit_of(request: &Request) -> std::time::Duration {
    if request.method() == Method::PUT && request.uri().path().ends_with("/code") {
        UPLOAD_TIMEOUT
    } else {
        REQUEST_TIMEOUT
    }
}

fn is_stream(request: &Request) -> bool {
    request.method() == Method::GET && request.uri().path().ends_with("/events")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_and_configured_hosts_only() {
        let hosts = AllowedHosts::new(
            &[
                "Stackplan.Example.com".into(),
                "ops.example.com:8443".into(),
            ],
            "0.0.0.0:8080",
        );
        for ok in [
            "127.0.0.1:8080",
            "localhost",
            "LOCALHOST:3000",
            "[::1]:8080",
            "app.localhost:8080",
            "stackplan.example.com",
            "stackplan.example.com:443",
            "ops.example.com:8443",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8080",
            "127.0.0.1.evil.example",
            "localhost.evil.example",
            "ops.example.com:8444",
            "0.0.0.0:8080",
            "",
        ] {
            assert!(!hosts.allows(bad), "{bad}");
        }
        // A specific listen address is allowed too.
        assert!(AllowedHosts::new(&[], "10.1.2.3:8080").allows("10.1.2.3:8080"));
    }

    #[test]
    fn the_csp_allows_the_inline_loader_by_its_hash_and_the_embed_origins_to_frame() {
        let html = "<head><script type=\"module\">\nimport init from '/app.js';\n</script><script src=\"/x.js\"></script></head>";
        let hashes = inline_script_hashes(html);
        // sha256 of "\nimport init from '/app.js';\n"
        let expected = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest(b"\nimport init from '/app.js';\n"));
        assert_eq!(hashes, vec![format!("'sha256-{expected}'")]);
        let headers = Headers::new(&["https://console.example.com".into()], Some(html));
        let csp = headers.csp.to_str().unwrap();
        assert!(
            csp.contains(&format!(
                "script-src 'self' 'wasm-unsafe-eval' 'sha256-{expected}'"
            )),
            "{csp}"
        );
        assert!(
            csp.contains("frame-ancestors 'self' https://console.example.com"),
            "{csp}"
        );
        assert!(csp.contains("object-src 'none'"), "{csp}");
        // Scripts: never eval or inline code beyond the hashed loader (WebAssembly only).
        let script_src = csp
            .split("; ")
            .find(|d| d.starts_with("script-src "))
            .expect("a script-src");
        for token in script_src.split(' ') {
            assert!(
                !matches!(token, "'unsafe-eval'" | "'unsafe-inline'" | "*"),
                "{script_src}"
            );
        }
    }
}
