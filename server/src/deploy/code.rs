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
pub fn check_zip(zip: &[u8], files: &[String]) -> Result<String, Vec<PlanProblem>> {
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
    let mut archive = zip::ZipArchive::new(Cursor::new(zip))
        .map_err(|_| problem("the upload is not a zip archive"))?;
    // The sizes the central directory gives (a streamed zip's too, where the local headers
    // leave them out).
    let mut unzipped = 0u64;
    for i in 0..archive.len() {
        let size = archive
            .by_index_raw(i)
            .map_err(|_| problem("the upload is not a zip archive"))?
            .size();
        unzipped = unzipped.saturating_add(size);
    }
    if unzipped > MAX_UNZIPPED_BYTES {
        return Err(problem(format!(
            "the zip unzips to {} bytes; Lambda takes at most {} (250 MB) unzipped",
            shared::cost::group_digits(&unzipped.to_string()),
            shared::cost::group_digits(&MAX_UNZIPPED_BYTES.to_string())
        )));
    }
    let names: Vec<&str> = archive.file_names().collect();
    files
        .iter()
        .find(|f| names.contains(&f.as_str()))
        .cloned()
        .ok_or_else(|| {
            problem(format!(
                "the zip has no {} at its top level, where the plan's handler is",
                files.join(" or ")
            ))
        })
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
        let handler_file = check_zip(&zip, &files).map_err(DeployError::InvalidCode)?;
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
                ("CodeS3Bucket".to_string(), bucket.clone()),
                ("CodeS3Key".to_string(), key.clone()),
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
