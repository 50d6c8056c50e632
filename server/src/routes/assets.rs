//! The planner's static files (the Trunk build), with cache headers, and the app's page for
//! every unknown path outside `/api` (client-side routing).

use std::path::Path;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::AppState;

/// The build names its outputs with a content hash (Trunk the CSS, `scripts/build-wasm.mjs` the
/// planner's `app-1a2b3c4d5e6f7a8b_bg.wasm` and JS, its chunk loader `split-<hash>.js` and its
/// chunks `split_deploy-<hash>.wasm`): they never change, so browsers may keep them for a year.
/// Everything else is revalidated.
pub fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name
        .split('.')
        .next()
        .unwrap_or(name)
        .trim_end_matches("_bg");
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() >= 16 && hash.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Serves a file of the build, or `index.html` for unknown paths.
pub async fn assets_get(State(state): State<AppState>, req: Request) -> Response {
    let dist = &state.config.dist;
    let path = req.uri().path().to_string();
    // A hidden file or directory (`.env`, `.git/`) is never the build's: not served, whatever
    // lies in the directory.
    if hidden(&path) {
        return StatusCode::NOT_FOUND.into_response();
    }
    // The build's `.br` and `.gz` twins (scripts/precompress.mjs) are sent as they are to a
    // client that accepts them; the compression layer leaves an encoded answer alone.
    // No redirect to a directory's slash: `//public` would answer `Location: //public/`, which
    // a browser reads as another host (an open redirect). Directories get the app, as any
    // unknown path does.
    let files = ServeDir::new(dist)
        .append_index_html_on_directories(false)
        .precompressed_br()
        .precompressed_gzip();
    // A missing file of the build (a script, a wasm module) is a 404, not the app's page: the
    // deploy panel's loader then says what is missing instead of failing to read HTML.
    let answer = if unnameable(&path, dist) {
        // No file has that name (the file system would refuse it, which `ServeDir` answers
        // with a 500 and a line in the log for each request): an unknown path.
        if is_build_file(&path) {
            return StatusCode::NOT_FOUND.into_response();
        }
        ServeFile::new(dist.join("index.html")).oneshot(req).await
    } else if is_build_file(&path) {
        files.oneshot(req).await
    } else {
        files
            .fallback(ServeFile::new(dist.join("index.html")))
            .oneshot(req)
            .await
    };
    let mut res = match answer {
        Ok(res) => res.into_response(),
        Err(never) => match never {},
    };
    if res.status() == StatusCode::OK
        && !state.config.embed_origins.is_empty()
        && is_html(&res)
        && (!path.ends_with(".html") || path.ends_with("/index.html"))
    {
        // The app's page (index.html, also the fallback): tell it who may embed it.
        res = with_embed_origins(res, &state.config.embed_origins).await;
    }
    // A range (206) or a revalidation (304) answers the same URL as the 200 and carries the same
    // cache rules (RFC 9110 §15.4.5: a 304 sends the `Vary` and `Cache-Control` a 200 would).
    if matches!(
        res.status(),
        StatusCode::OK | StatusCode::PARTIAL_CONTENT | StatusCode::NOT_MODIFIED
    ) {
        // Only the build's own hashed files are kept for a year: an unknown path that merely
        // looks hashed (`/plans/shop-0123456789abcdef`) is answered with the app's page, which
        // must be revalidated like any page.
        let value = if is_build_file(&path) && is_hashed(&path) {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
        // The same URL answers brotli, gzip or plain bytes: caches must key on the encoding.
        res.headers_mut()
            .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        // The embedding script is a module script on host pages of other origins, and
        // browsers fetch those in CORS mode: without this a console allowed to frame the
        // planner (`--embed-origin`) could not load it. It is public and read without
        // credentials; `--cors-origin`, which opens the API, is not needed for it.
        if path == EMBED_SCRIPT {
            res.headers_mut().insert(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            );
        }
    }
    res
}

/// The script a host page loads to embed the planner (`public/stackplan-embed.js`).
pub const EMBED_SCRIPT: &str = "/public/stackplan-embed.js";

/// A path naming one of the build's own kinds of file (by its extension).
fn is_build_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').is_some_and(|(_, ext)| {
        matches!(
            ext,
            "js" | "mjs" | "wasm" | "css" | "svg" | "map" | "br" | "gz"
        )
    })
}

fn is_html(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// The page with `<meta name="stackplan-embed-origins" content="…">` in its head: the app
/// sends its events only to a host page of one of these origins (or of its own).
async fn with_embed_origins(res: Response, origins: &[String]) -> Response {
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return Response::from_parts(parts, axum::body::Body::empty());
    };
    let html = String::from_utf8_lossy(&bytes);
    let meta = format!(
        "<meta name=\"stackplan-embed-origins\" content=\"{}\" />",
        escape(&origins.join(" "))
    );
    let page = match html.find("</head>") {
        Some(i) => format!("{}{meta}{}", &html[..i], &html[i..]),
        None => html.into_owned(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::ETAG);
    parts.headers.remove(header::LAST_MODIFIED);
    Response::from_parts(parts, axum::body::Body::from(page))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Fails early, with the fix, when there is no app build to serve.
pub fn check_dist(dist: &Path) -> anyhow::Result<()> {
    if !dist.join("index.html").is_file() {
        anyhow::bail!(
            "no planner build at {}: run `scripts/run.sh` (it builds the app with Trunk), or pass --dist",
            dist.display()
        );
    }
    // The file server follows links: one pointing out of the build would serve whatever it
    // points at. A Trunk build has none.
    if let Some(link) = link_out_of(dist)? {
        anyhow::bail!(
            "{} is a symbolic link out of the planner build ({}): the server serves the build's own files only; remove it or copy what it points at",
            link.display(),
            dist.display()
        );
    }
    Ok(())
}

/// The first symbolic link under `dist` whose target is outside it, if any.
fn link_out_of(dist: &Path) -> anyhow::Result<Option<std::path::PathBuf>> {
    let root = dist
        .canonicalize()
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", dist.display()))?;
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_symlink() {
                // A dangling link serves nothing; one into the build is harmless.
                if path.canonicalize().is_ok_and(|to| !to.starts_with(&root)) {
                    return Ok(Some(path));
                }
            } else if kind.is_dir() {
                dirs.push(path);
            }
        }
    }
    Ok(None)
}

/// Whether a request path names a hidden file or directory: a segment starting with a dot,
/// once the path is percent-decoded as `ServeDir` decodes it (with the same decoder): `%2e`
/// for the dot, `%2f` or `\` for a slash.
fn hidden(path: &str) -> bool {
    let decoded: Vec<u8> = percent_encoding::percent_decode_str(path).collect();
    decoded
        .split(|b| *b == b'/' || *b == b'\\')
        .any(|segment| segment.first() == Some(&b'.'))
}

/// Whether a request path, percent-decoded, would make a longer file path than the file system
/// takes (4,096 bytes with the build's directory `dist` before it), or a segment longer than a
/// file's name may be (255 bytes): no file of the build has it. The file server tries each path
/// with `.br` and `.gz` after it too, so those 3 bytes count.
fn unnameable(path: &str, dist: &Path) -> bool {
    let decoded: Vec<u8> = percent_encoding::percent_decode_str(path).collect();
    dist.as_os_str().len() + decoded.len() + 3 >= 4096
        || decoded
            .split(|b| *b == b'/' || *b == b'\\')
            .any(|segment| segment.len() + 3 > 255)
}

#[cfg(test)]
mod tests {
    #[test]
    fn unnameable_paths() {
        let dist = std::path::Path::new("/srv/dist");
        // 253 bytes and `.br` after them: one past a file name's 255.
        let long = "a".repeat(253);
        for path in [
            format!("/{long}"),
            format!("/public/{long}"),
            format!("/{}", "%61".repeat(253)),
            format!("/{}", "a/".repeat(2050)),
        ] {
            assert!(super::unnameable(&path, dist), "{path}");
        }
        for path in [
            format!("/{}", &long[1..]),
            format!("/{}", "a/".repeat(2030)),
            "/index.html".into(),
            "/".into(),
        ] {
            assert!(!super::unnameable(&path, dist), "{path}");
        }
    }

    #[test]
    fn hidden_paths() {
        for path in [
            "/.env",
            "/.git/config",
            "/sub/.hidden",
            "/%2eenv",
            "/%2Egit/HEAD",
            "/a/../b",
            "/sub%2F.env",
            "/public%2f%2eenv",
            "/sub%5C.env",
        ] {
            assert!(super::hidden(path), "{path}");
        }
        for path in [
            "/",
            "/index.html",
            "/app-0123456789abcdef_bg.wasm",
            "/public/stackplan-embed.js",
            "/a.b/c",
        ] {
            assert!(!super::hidden(path), "{path}");
        }
    }

    /// A link out of the build stops the server at its start; links within it, and none, do not.
    #[cfg(unix)]
    #[test]
    fn a_link_out_of_the_build_is_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "x").unwrap();
        let dist = tempfile::tempdir().unwrap();
        std::fs::write(dist.path().join("index.html"), "<!doctype html>").unwrap();
        std::fs::create_dir(dist.path().join("sub")).unwrap();
        std::os::unix::fs::symlink(
            dist.path().join("index.html"),
            dist.path().join("sub/home.html"),
        )
        .unwrap();
        super::check_dist(dist.path()).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret"),
            dist.path().join("sub/leak.js"),
        )
        .unwrap();
        let e = super::check_dist(dist.path()).unwrap_err().to_string();
        assert!(
            e.contains("leak.js is a symbolic link out of the planner build"),
            "{e}"
        );
    }

    #[test]
    fn hashed_names() {
        assert!(super::is_hashed("/app-3f2a9c1b7d4e5f60_bg.wasm"));
        assert!(super::is_hashed("/style-0123456789abcdef.css"));
        assert!(!super::is_hashed("/index.html"));
        assert!(!super::is_hashed("/embed-demo.html"));
    }
}
