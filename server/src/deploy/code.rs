//! A Lambda function's own code: the zip a user uploads is checked (a zip, within the size
//! Lambda takes, holding the file of the plan's handler) and stored in the stack's code bucket
//! under a key named by its digest; deploying the plan again with the answer's parameters runs
//! it.

use std::collections::BTreeMap;
use std::io::Cursor;

use base64::Engine;
use sha2::{Digest, Sha256};
use shared::api::{CodeUpload, PlanProblem};
use shared::plan::{Architecture, Runtime};

use super::errors::DeployError;
use super::parameters::{CODE_BUCKET_PARAMETER, CODE_KEY_PARAMETER};
use super::policy::Access;
use super::service::Deployer;
use crate::auth::Grant;
use crate::aws::unwatched;

/// The largest zip accepted: Lambda's own limit for a zip uploaded directly (50 MB), which
/// keeps an upload's memory small. Through S3, which Stackplan uses, Lambda takes up to 250 MB
/// unzipped: larger code goes in the user's own bucket (`CodeS3Bucket`, `CodeS3Key`).
pub const MAX_ZIP_BYTES: usize = 50 * 1024 * 1024;

/// The most entries (files and folders) a zip may hold. Lambda itself limits the code
/// unzipped (250 MB), not its files; a large Node.js bundle with its `node_modules` has some
/// tens of thousands.
pub const MAX_ZIP_ENTRIES: u64 = 100_000;

/// The most a zip may unzip to: Lambda's limit for a function's code unzipped (250 MB, with
/// its layers), so that code it would refuse at the deploy is refused at the upload.
pub const MAX_UNZIPPED_BYTES: u64 = 262_144_000;

/// Where uploaded code goes in the code bucket.
pub const CODE_PREFIX: &str = "stackplan-code/";

/// What is wrong with an upload, each with the field path `code`.
pub fn problem(message: impl Into<String>) -> Vec<PlanProblem> {
    vec![PlanProblem {
        path: "code".into(),
        message: message.into(),
    }]
}

/// The files that can hold `handler` (`module.function`) for `runtime`: `app.handler` is
/// `app.py` for Python (`pkg.app.handler` is `pkg/app.py`), and `app.js`, `app.mjs` or
/// `app.cjs` for Node.js (`src/app.handler` is `src/app.js`).
pub fn handler_files(runtime: Runtime, handler: &str) -> Vec<String> {
    let module = handler.rsplit_once('.').map_or(handler, |(m, _)| m);
    if runtime.is_python() {
        vec![format!("{}.py", module.replace('.', "/"))]
    } else {
        ["js", "mjs", "cjs"]
            .iter()
            .map(|ext| format!("{module}.{ext}"))
            .collect()
    }
}

/// Checks that `zip` is a zip archive holding one of `files`; returns the one it holds.
///
/// Every entry is unzipped (into a small buffer, counted, not kept), so its size is what it
/// holds, not what its headers claim; its name must stay inside the folder Lambda unpacks the
/// zip into, and be there once; nothing may be encrypted; and the handler's file must be a
/// file, not a link. When the zip holds several of `files`, the one Lambda runs is the first
/// of `files` it holds (Node.js tries `.js`, then `.mjs`, then `.cjs`).
pub fn check_zip(zip: &[u8], files: &[String]) -> Result<String, Vec<PlanProblem>> {
    check_zip_within(zip, files, MAX_UNZIPPED_BYTES)
}

/// [`check_zip`], with `limit` as the most the zip may unzip to (Lambda's 250 MB, smaller in
/// tests).
fn check_zip_within(zip: &[u8], files: &[String], limit: u64) -> Result<String, Vec<PlanProblem>> {
    if zip.is_empty() {
        return Err(problem("the upload is empty"));
    }
    if zip.len() > MAX_ZIP_BYTES {
        return Err(problem(format!(
            "the zip is {} bytes; Stackplan takes at most {MAX_ZIP_BYTES}",
            zip.len()
        )));
    }
    // The zip reader holds a record for every entry of the central directory: counted first,
    // so that 50 MB of tiny entries cannot take hundreds of MB to open.
    if zip_entries(zip, MAX_ZIP_ENTRIES) > MAX_ZIP_ENTRIES {
        return Err(problem(format!(
            "the zip has more than {MAX_ZIP_ENTRIES} entries (files and folders); Stackplan takes at most {MAX_ZIP_ENTRIES}"
        )));
    }
    let damaged = || problem("the upload is not a zip archive");
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).map_err(|_| damaged())?;
    // The sizes the central directory gives (a streamed zip's too, where the local headers
    // leave them out): a zip that says it is too large is refused before anything is unzipped.
    let mut claimed = 0u64;
    for i in 0..archive.len() {
        let size = archive.by_index_raw(i).map_err(|_| damaged())?.size();
        claimed = claimed.saturating_add(size);
    }
    // `bytes`: the size claimed; `None` for a size counted, which stops once past the limit.
    let too_large = |bytes: Option<u64>| {
        let most = shared::cost::group_digits(&limit.to_string());
        let size = bytes.map_or_else(
            || format!("more than {most}"),
            |b| shared::cost::group_digits(&b.to_string()),
        );
        problem(format!(
            "the zip unzips to {size} bytes; Lambda takes at most {most}{} unzipped",
            if limit == MAX_UNZIPPED_BYTES {
                " (250 MB)"
            } else {
                ""
            }
        ))
    };
    if claimed > limit {
        return Err(too_large(Some(claimed)));
    }
    // A name given twice: the zip reader keeps one entry per name (the last), so the names are
    // read from the central directory's own headers. Their raw bytes are checked too: the
    // name the reader decodes may come from an extra field instead.
    let mut names = central_names(zip, archive.central_directory_start()).ok_or_else(damaged)?;
    for raw in &names {
        let name = String::from_utf8_lossy(raw);
        if let Some(why) = unsafe_name(&name) {
            return Err(unsafe_entry(&name, why));
        }
    }
    names.sort_unstable();
    if let Some(twice) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(problem(format!(
            "the zip holds {:?} twice; which one Lambda would run is not known, so keep one",
            String::from_utf8_lossy(twice[0])
        )));
    }
    // Names of other bytes that read the same (or an extra field's name) are one entry to the
    // reader, which would then size and check only one of them.
    if names.len() != archive.len() {
        return Err(problem(
            "the zip holds two entries whose names read the same; which one Lambda would run is not known, so keep one",
        ));
    }
    let mut unzipped = 0u64;
    let mut found = Vec::new();
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|_| damaged())?;
        let name = entry.name().to_string();
        if let Some(why) = unsafe_name(&name) {
            return Err(unsafe_entry(&name, why));
        }
        if entry.encrypted() {
            return Err(problem(format!(
                "the zip's {name} is encrypted; Lambda cannot read it, so zip the code without a password"
            )));
        }
        if files.contains(&name) {
            found.push((name.clone(), entry.is_symlink()));
        }
        if entry.is_dir() {
            continue;
        }
        let start = usize::try_from(entry.data_start()).map_err(|_| damaged())?;
        let raw = usize::try_from(entry.compressed_size())
            .ok()
            .and_then(|len| zip.get(start..start.checked_add(len)?))
            .ok_or_else(damaged)?;
        let budget = limit - unzipped;
        let size = match entry.compression() {
            zip::CompressionMethod::Stored => raw.len() as u64,
            m if m == zip::CompressionMethod::DEFLATE => {
                inflated_size(raw, budget).ok_or_else(|| {
                    problem(format!(
                        "the zip's {name} does not unzip: the zip is damaged; zip the code again"
                    ))
                })?
            }
            other => {
                // The method's number, as the entry's central header gives it.
                let other = usize::try_from(entry.central_header_start())
                    .ok()
                    .and_then(|at| zip.get(at + 10..at + 12))
                    .map_or(other.to_string(), |n| {
                        format!("method {}", u16::from_le_bytes([n[0], n[1]]))
                    });
                return Err(problem(format!(
                    "the zip's {name} is compressed by a method other than stored or deflated ({other}); Stackplan takes those two, what zip tools write by default"
                )));
            }
        };
        if size > budget {
            return Err(too_large(None));
        }
        if size != entry.size() {
            return Err(problem(format!(
                "the zip's {name} says it unzips to {} but holds {}: the zip is damaged; zip the code again",
                bytes(entry.size()),
                bytes(size)
            )));
        }
        unzipped += size;
    }
    // The file Lambda runs: the first of `files` the zip holds.
    let Some((handler, linked)) = files
        .iter()
        .find_map(|f| found.iter().find(|(name, _)| name == f))
    else {
        return Err(problem(format!(
            "the zip has no {} at its top level, where the plan's handler is",
            files.join(" or ")
        )));
    };
    if *linked {
        return Err(problem(format!(
            "the zip's {handler} is a symbolic link; put the file itself in the zip"
        )));
    }
    Ok(handler.clone())
}

/// `n` bytes, in words.
fn bytes(n: u64) -> String {
    match n {
        1 => "1 byte".into(),
        _ => format!("{} bytes", shared::cost::group_digits(&n.to_string())),
    }
}

/// The refusal of an entry whose name `why` would not stay inside its folder.
fn unsafe_entry(name: &str, why: &str) -> Vec<PlanProblem> {
    problem(format!(
        "the zip holds an entry named {name:?}, {why}: Lambda unpacks the zip into one folder, so every name must stay inside it"
    ))
}

/// The names of the entries of the central directory that starts at `start` in `zip`, as its
/// headers give them (a folder's without its `/`, so that a file and a folder of one name
/// count as one name given twice).
fn central_names(zip: &[u8], start: u64) -> Option<Vec<&[u8]>> {
    let mut at = usize::try_from(start).ok()?;
    let mut names = Vec::new();
    while zip.get(at..at.checked_add(4)?) == Some(b"PK\x01\x02".as_slice()) {
        let header = zip.get(at..at.checked_add(46)?)?;
        let length = |o: usize| usize::from(u16::from_le_bytes([header[o], header[o + 1]]));
        let (name, extra, comment) = (length(28), length(30), length(32));
        let name = zip.get(at + 46..at + 46 + name)?;
        names.push(name.strip_suffix(b"/").unwrap_or(name));
        at += 46 + name.len() + extra + comment;
    }
    Some(names)
}

/// Why a zip entry's name would land outside the folder it is unpacked into, or could not be
/// written there, if it would.
fn unsafe_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("empty")
    } else if name.starts_with('/') {
        Some("which starts at the root (\"/\")")
    } else if name.contains('\\') {
        Some("with a backslash")
    } else if name.split('/').any(|part| part == "..") {
        Some("which climbs out of its folder (\"..\")")
    } else if name.chars().any(char::is_control) {
        Some("with control characters")
    } else {
        None
    }
}

/// The bytes the raw deflate stream `raw` unzips to, counted into a small buffer and not kept,
/// stopping once past `budget`; `None` if it is no whole deflate stream.
fn inflated_size(raw: &[u8], budget: u64) -> Option<u64> {
    use miniz_oxide::inflate::stream::{InflateState, inflate};
    use miniz_oxide::{DataFormat, MZFlush, MZStatus};
    let mut state = InflateState::new_boxed(DataFormat::Raw);
    let mut out = vec![0u8; 64 * 1024];
    let mut input = raw;
    let mut total = 0u64;
    loop {
        let step = inflate(&mut state, input, &mut out, MZFlush::None);
        input = &input[step.bytes_consumed..];
        total += step.bytes_written as u64;
        if total > budget {
            return Some(total);
        }
        match step.status {
            Ok(MZStatus::StreamEnd) => return Some(total),
            Ok(_) if step.bytes_consumed > 0 || step.bytes_written > 0 => {}
            // No progress: the stream ends before its end, or is not one.
            _ => return None,
        }
    }
}

/// An upper bound on the entries a zip reader can find in `zip`: the central directory
/// headers (`PK\x01\x02`) anywhere in it, counted up to `limit + 1`. Whatever end record a
/// reader settles on (the classic one, a Zip64 one, one of several), each entry it reads
/// starts with one of these; file data that happens to hold the bytes only raises the count.
fn zip_entries(zip: &[u8], limit: u64) -> u64 {
    const HEADER: &[u8; 4] = b"PK\x01\x02";
    let mut n = 0;
    for w in zip.windows(4) {
        if w == HEADER {
            n += 1;
            if n > limit {
                break;
            }
        }
    }
    n
}

/// A code upload's destination, proven before a byte of the body is read: the stack is this
/// token's and Stackplan's, it has a code bucket, and its plan runs a zip function whose
/// handler is in one of `files`.
#[derive(Debug)]
pub struct CodeTarget {
    deployment: super::id::Deployment,
    bucket: String,
    files: Vec<String>,
}

impl Deployer {
    /// `PUT /api/deployments/{id}/code`, first step: proves the stack and finds where its code
    /// goes and which file must hold the handler, before the upload's body is read (a forged
    /// or foreign id never holds an upload place).
    pub async fn code_target(&self, grant: &Grant, id: &str) -> Result<CodeTarget, DeployError> {
        let deployment = self.decode(id)?;
        let arn = &deployment.stack;
        let session = self.session_for(grant, arn, Access::Read).await?;
        let stack = self.live_stack(arn, &session, grant.owner.as_ref()).await?;
        let bucket = stack.code_bucket().ok_or(DeployError::NoCodeBucket)?;
        // The handler the function runs: the plan the stack's template records.
        let summary = self
            .call(&session, &unwatched, |cfn, s| {
                let id = arn.arn.clone();
                Box::pin(async move { cfn.template_summary(&s, &id).await })
            })
            .await?;
        let plan = summary
            .plan_link
            .as_deref()
            .and_then(|code| shared::link::decode(code).ok())
            .ok_or(DeployError::NoCodeBucket)?;
        // An image function's stack keeps its code bucket but runs no zip from it. (Its stack
        // has no `CodeBucketName` output, so the check above refuses it first; this one holds
        // whatever the outputs say.)
        let Architecture::Lambda(lambda) = &plan.architecture else {
            return Err(DeployError::NoCodeBucket);
        };
        if lambda.image.is_some() {
            return Err(DeployError::NoCodeBucket);
        }
        let files = handler_files(lambda.runtime, &lambda.handler);
        Ok(CodeTarget {
            deployment,
            bucket,
            files,
        })
    }

    /// `PUT /api/deployments/{id}/code`, second step: checks the zip against the handler
    /// [`Deployer::code_target`] found and stores it in the stack's code bucket.
    pub async fn upload_code(
        &self,
        grant: &Grant,
        target: CodeTarget,
        zip: bytes::Bytes,
    ) -> Result<CodeUpload, DeployError> {
        let CodeTarget {
            deployment,
            bucket,
            files,
        } = target;
        let arn = &deployment.stack;
        // Unzipping every entry to size it takes up to about a second: off the async threads.
        let handler_file = {
            let zip = zip.clone();
            tokio::task::spawn_blocking(move || check_zip(&zip, &files))
                .await
                .map_err(|_| DeployError::InvalidCode(problem("the upload could not be read")))?
                .map_err(DeployError::InvalidCode)?
        };
        let digest = Sha256::digest(&zip);
        let hex = super::id::hex(&digest);
        let sha256 = base64::engine::general_purpose::STANDARD.encode(digest);
        let key = format!("{CODE_PREFIX}{hex}.zip");
        let size = zip.len() as u64;
        let roles = self.roles_for_stack(grant, arn)?;
        let upload = self
            .code_session(&roles, &arn.name, &arn.region, &bucket)
            .await?;
        let (store, b, k, s) = (
            self.code.clone(),
            bucket.clone(),
            key.clone(),
            sha256.clone(),
        );
        crate::aws::retry(
            self.config.backoff,
            || {
                let (store, session, b, k, s, body) = (
                    store.clone(),
                    upload.clone(),
                    b.clone(),
                    k.clone(),
                    s.clone(),
                    zip.clone(),
                );
                Box::pin(async move { store.put_code(&session, &b, &k, body, &s).await })
            },
            &unwatched,
        )
        .await?;
        tracing::info!(stack = arn.name, key, size, "function code uploaded");
        Ok(CodeUpload {
            parameters: BTreeMap::from([
                (CODE_BUCKET_PARAMETER.to_string(), bucket.clone()),
                (CODE_KEY_PARAMETER.to_string(), key.clone()),
            ]),
            bucket,
            key,
            code_sha256: sha256,
            size,
            handler_file,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut out);
            for (name, text) in files {
                w.start_file(*name, zip::write::SimpleFileOptions::default())
                    .unwrap();
                w.write_all(text.as_bytes()).unwrap();
            }
            w.finish().unwrap();
        }
        out.into_inner()
    }

    #[test]
    fn handlers_name_their_files() {
        assert_eq!(handler_files(Runtime::Python313, "app.handler"), ["app.py"]);
        assert_eq!(
            handler_files(Runtime::Python312, "pkg.api.handler"),
            ["pkg/api.py"]
        );
        assert_eq!(
            handler_files(Runtime::Nodejs22, "src/index.handler"),
            ["src/index.js", "src/index.mjs", "src/index.cjs"]
        );
    }

    #[test]
    fn a_zip_must_hold_the_handlers_file() {
        let files = handler_files(Runtime::Nodejs22, "index.handler");
        let good = zip_of(&[("index.mjs", "export const handler = async () => ({});")]);
        assert_eq!(check_zip(&good, &files).unwrap(), "index.mjs");
        let other = zip_of(&[("main.py", "def handler(e, c): pass")]);
        let problems = check_zip(&other, &files).unwrap_err();
        assert_eq!(problems[0].path, "code");
        assert!(
            problems[0]
                .message
                .contains("index.js or index.mjs or index.cjs")
        );
        assert!(check_zip(b"PK not really", &files).is_err());
        assert!(check_zip(b"", &files).is_err());
    }

    /// Code Lambda would refuse unzipped is refused at the upload, by the sizes the zip's
    /// central directory gives (here one claimed, as a zip bomb's: 300 MB of one byte).
    #[test]
    fn a_zip_that_unzips_past_lambdas_limit_is_refused() {
        let files = handler_files(Runtime::Python313, "app.handler");
        let mut bomb = zip_of(&[("app.py", "x = 1"), ("big.bin", "0")]);
        assert_eq!(check_zip(&bomb, &files).unwrap(), "app.py");
        let headers: Vec<usize> = bomb
            .windows(4)
            .enumerate()
            .filter(|(_, w)| *w == b"PK\x01\x02")
            .map(|(i, _)| i)
            .collect();
        let big = headers[1];
        bomb[big + 24..big + 28].copy_from_slice(&300_000_000u32.to_le_bytes());
        let problems = check_zip(&bomb, &files).unwrap_err();
        assert_eq!(
            (problems[0].path.as_str(), problems[0].message.as_str()),
            (
                "code",
                "the zip unzips to 300,000,005 bytes; Lambda takes at most 262,144,000 (250 MB) unzipped"
            )
        );
    }

    /// One entry of a zip written byte by byte, as a zip tool that lies or errs could write it.
    #[derive(Clone)]
    struct Raw<'a> {
        name: &'a str,
        /// 0 stored, 8 deflated.
        method: u16,
        data: Vec<u8>,
        /// The unzipped size both headers claim.
        size: u32,
        encrypted: bool,
        /// Unix mode (a symbolic link: 0o120777), written as a Unix tool writes it.
        mode: Option<u32>,
        /// The name's bytes when they are not `name`'s, said to be UTF-8 (flag bit 11).
        utf8_bytes: Option<&'a [u8]>,
    }

    impl<'a> Raw<'a> {
        fn stored(name: &'a str, text: &str) -> Raw<'a> {
            Raw {
                name,
                method: 0,
                data: text.as_bytes().to_vec(),
                size: text.len() as u32,
                encrypted: false,
                mode: None,
                utf8_bytes: None,
            }
        }

        fn deflated(name: &'a str, bytes: &[u8]) -> Raw<'a> {
            Raw {
                name,
                method: 8,
                data: miniz_oxide::deflate::compress_to_vec(bytes, 6),
                size: bytes.len() as u32,
                encrypted: false,
                mode: None,
                utf8_bytes: None,
            }
        }
    }

    /// The zip of `entries`: local headers with their data, the central directory, its end.
    fn raw_zip(entries: &[Raw]) -> Vec<u8> {
        let (mut out, mut central) = (Vec::new(), Vec::new());
        for e in entries {
            let offset = out.len() as u32;
            let flags: u16 =
                u16::from(e.encrypted) | if e.utf8_bytes.is_some() { 0x800 } else { 0 };
            let name = e.utf8_bytes.unwrap_or(e.name.as_bytes());
            let common = |v: &mut Vec<u8>| {
                v.extend_from_slice(&20u16.to_le_bytes());
                v.extend_from_slice(&flags.to_le_bytes());
                v.extend_from_slice(&e.method.to_le_bytes());
                v.extend_from_slice(&[0; 4]); // time, date
                v.extend_from_slice(&[0; 4]); // CRC-32 (not checked by the upload)
                v.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
                v.extend_from_slice(&e.size.to_le_bytes());
                v.extend_from_slice(&(name.len() as u16).to_le_bytes());
                v.extend_from_slice(&0u16.to_le_bytes()); // extra field
            };
            out.extend_from_slice(b"PK\x03\x04");
            common(&mut out);
            out.extend_from_slice(name);
            out.extend_from_slice(&e.data);
            central.extend_from_slice(b"PK\x01\x02");
            // Made by: Unix (3) when a mode is given, else MS-DOS.
            let made_by: u16 = if e.mode.is_some() { 0x031e } else { 20 };
            central.extend_from_slice(&made_by.to_le_bytes());
            common(&mut central);
            central.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
            central.extend_from_slice(&(e.mode.unwrap_or(0) << 16).to_le_bytes());
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name);
        }
        let start = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06");
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&start.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    /// The names of the entries of `zip`, which was taken with the handler `file`.
    fn archive_names(zip: &[u8], file: &str) -> String {
        let archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
        format!(
            "{file} accepted from {:?}",
            archive.file_names().collect::<Vec<_>>()
        )
    }

    /// The one problem of `zip`, for the handler `app.py`.
    fn refusal(zip: &[u8]) -> String {
        let files = handler_files(Runtime::Python313, "app.handler");
        let problems = check_zip(zip, &files)
            .map(|file| archive_names(zip, &file))
            .unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "code");
        problems[0].message.clone()
    }

    /// The sizes are what the entries unzip to: a zip bomb whose headers claim a byte is
    /// refused for what it holds, counted without keeping it.
    #[test]
    fn a_zip_is_sized_by_what_it_unzips_to_not_by_what_it_claims() {
        let files = handler_files(Runtime::Python313, "app.handler");
        // A limit of 1 MB here (Lambda's 250 MB in the server): the same code, smaller zips.
        const LIMIT: u64 = 1_000_000;
        let zeros = vec![0u8; 2 * LIMIT as usize];
        let honest = raw_zip(&[
            Raw::deflated("lib/data.bin", &zeros[..LIMIT as usize - 5]),
            Raw::stored("app.py", "x = 1"),
        ]);
        assert_eq!(check_zip_within(&honest, &files, LIMIT).unwrap(), "app.py");
        // First in the zip or after the handler, a bomb that claims a byte is refused for what
        // it holds.
        let mut bomb = Raw::deflated("zeros.bin", &zeros);
        bomb.size = 1;
        let said =
            "the zip unzips to more than 1,000,000 bytes; Lambda takes at most 1,000,000 unzipped";
        for zip in [
            raw_zip(&[Raw::stored("app.py", "x = 1"), bomb.clone()]),
            raw_zip(&[bomb, Raw::stored("app.py", "x = 1")]),
        ] {
            let problems = check_zip_within(&zip, &files, LIMIT).unwrap_err();
            assert_eq!(problems[0].message, said);
        }
        // One byte over the limit in all is over it.
        let over = raw_zip(&[
            Raw::deflated("lib/data.bin", &zeros[..LIMIT as usize - 4]),
            Raw::stored("app.py", "x = 1"),
        ]);
        assert!(check_zip_within(&over, &files, LIMIT).is_err());
        // Within the limit, a size that is not the one claimed is a damaged zip.
        let mut short = Raw::deflated("lib/data.bin", &zeros[..1000]);
        short.size = 10;
        assert_eq!(
            refusal(&raw_zip(&[Raw::stored("app.py", "x = 1"), short])),
            "the zip's lib/data.bin says it unzips to 10 bytes but holds 1,000 bytes: the zip is damaged; zip the code again"
        );
        // A deflate stream cut short does not unzip.
        let mut cut = Raw::deflated("app.py", b"print('hello')\n".repeat(100).as_slice());
        cut.data.truncate(cut.data.len() / 2);
        assert_eq!(
            refusal(&raw_zip(&[cut])),
            "the zip's app.py does not unzip: the zip is damaged; zip the code again"
        );
        let mut other = Raw::stored("app.py", "x = 1");
        other.method = 12;
        assert!(refusal(&raw_zip(&[other])).starts_with(
            "the zip's app.py is compressed by a method other than stored or deflated"
        ));
    }

    #[test]
    fn every_name_stays_in_the_folder_the_zip_is_unpacked_into_and_comes_once() {
        for (name, why) in [
            (
                "../../etc/passwd",
                "which climbs out of its folder (\"..\")",
            ),
            ("lib/../../x.py", "which climbs out of its folder (\"..\")"),
            ("/abs/file", "which starts at the root (\"/\")"),
            ("..\\..\\x", "with a backslash"),
            ("a\u{7}b.py", "with control characters"),
        ] {
            assert_eq!(
                refusal(&raw_zip(&[
                    Raw::stored("app.py", "x = 1"),
                    Raw::stored(name, "")
                ])),
                format!(
                    "the zip holds an entry named {name:?}, {why}: Lambda unpacks the zip into one folder, so every name must stay inside it"
                )
            );
        }
        // A name with dots that do not climb is a name.
        let files = handler_files(Runtime::Python313, "app.handler");
        let dots = raw_zip(&[Raw::stored("app.py", "x = 1"), Raw::stored("a..b/..c", "")]);
        assert_eq!(check_zip(&dots, &files).unwrap(), "app.py");
        assert_eq!(
            refusal(&raw_zip(&[
                Raw::stored("app.py", "x = 1"),
                Raw::stored("app.py", "x = 2")
            ])),
            "the zip holds \"app.py\" twice; which one Lambda would run is not known, so keep one"
        );
        // Two names of other bytes that read the same are one entry to the zip reader: the
        // other would go unsized and unchecked.
        let mut a = Raw::stored("a", "");
        a.utf8_bytes = Some(b"a\xff");
        let mut b = Raw::stored("b", "");
        b.utf8_bytes = Some(b"a\xfe");
        assert_eq!(
            refusal(&raw_zip(&[Raw::stored("app.py", "x = 1"), a, b])),
            "the zip holds two entries whose names read the same; which one Lambda would run is not known, so keep one"
        );
    }

    /// Node.js tries `.js`, then `.mjs`, then `.cjs`: the file Lambda runs is the first the zip
    /// holds in that order, wherever it is in the zip.
    #[test]
    fn the_handlers_file_is_the_one_lambda_runs() {
        let files = handler_files(Runtime::Nodejs22, "index.handler");
        let both = raw_zip(&[
            Raw::stored("index.mjs", "export const handler = 1;"),
            Raw::stored("index.js", "exports.handler = 1;"),
        ]);
        assert_eq!(check_zip(&both, &files).unwrap(), "index.js");
        // A link that Lambda would not run is no reason to refuse the zip.
        let mut link = Raw::stored("index.mjs", "elsewhere.mjs");
        link.mode = Some(0o120777);
        let beside = raw_zip(&[link, Raw::stored("index.js", "exports.handler = 1;")]);
        assert_eq!(check_zip(&beside, &files).unwrap(), "index.js");
    }

    #[test]
    fn encrypted_entries_and_a_linked_handler_are_refused() {
        let mut secret = Raw::stored("lib/key.py", "k = 1");
        secret.encrypted = true;
        assert_eq!(
            refusal(&raw_zip(&[Raw::stored("app.py", "x = 1"), secret])),
            "the zip's lib/key.py is encrypted; Lambda cannot read it, so zip the code without a password"
        );
        let mut link = Raw::stored("app.py", "/etc/passwd");
        link.mode = Some(0o120777);
        assert_eq!(
            refusal(&raw_zip(&[link])),
            "the zip's app.py is a symbolic link; put the file itself in the zip"
        );
        // The same file as a Unix tool writes it is a file.
        let mut file = Raw::stored("app.py", "x = 1");
        file.mode = Some(0o100644);
        let files = handler_files(Runtime::Python313, "app.handler");
        assert_eq!(check_zip(&raw_zip(&[file]), &files).unwrap(), "app.py");
    }

    /// A zip of `n` empty files, each named by its number.
    fn zip_of_many(n: usize) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut out);
            for i in 0..n {
                w.start_file(format!("{i}"), zip::write::SimpleFileOptions::default())
                    .unwrap();
            }
            w.finish().unwrap();
        }
        out.into_inner()
    }

    #[test]
    fn a_zip_of_too_many_entries_is_refused_before_it_is_opened() {
        let files = handler_files(Runtime::Python313, "app.handler");
        let real = zip_of(&[("app.py", "x = 1"), ("lib/a.py", ""), ("lib/b.py", "")]);
        assert_eq!(zip_entries(&real, MAX_ZIP_ENTRIES), 3);
        // The count stops one past the limit.
        assert_eq!(zip_entries(&zip_of_many(50), 10), 11);
        let many = zip_of_many(MAX_ZIP_ENTRIES as usize + 1);
        let problems = check_zip(&many, &files).unwrap_err();
        assert_eq!(problems[0].path, "code");
        assert!(
            problems[0].message.contains("more than 100000 entries"),
            "{problems:?}"
        );
        // An end record that claims fewer entries than the directory holds changes nothing:
        // the headers are counted, not the record's claim.
        let mut lying = many.clone();
        let end = lying.len() - 22;
        assert_eq!(&lying[end..end + 4], b"PK\x05\x06");
        lying[end + 8..end + 12].copy_from_slice(&[1, 0, 1, 0]);
        assert!(
            check_zip(&lying, &files).unwrap_err()[0]
                .message
                .contains("more than")
        );
        // Just within the limit the archive itself is read (and has no handler).
        let within = zip_of_many(MAX_ZIP_ENTRIES as usize);
        let problems = check_zip(&within, &files).unwrap_err();
        assert!(
            problems[0].message.contains("has no app.py"),
            "{problems:?}"
        );
    }
}
