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

/// The largest zip accepted: Lambda's own limit for a zip uploaded directly (50 MB); through
/// S3 it takes up to 250 MB unzipped.
pub const MAX_ZIP_BYTES: usize = 50 * 1024 * 1024;

/// The most entries (files and folders) a zip may hold. Lambda itself limits the code
/// unzipped (250 MB), not its files; a large Node.js bundle with its `node_modules` has some
/// tens of thousands.
pub const MAX_ZIP_ENTRIES: u64 = 100_000;

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
            "the zip is {} bytes; Lambda takes at most {MAX_ZIP_BYTES}",
            zip.len()
        )));
    }
    // The zip reader holds a record for every entry of the central directory: counted first,
    // so that 50 MB of tiny entries cannot take hundreds of MB to open.
    let entries = zip_entries(zip).ok_or_else(|| problem("the upload is not a zip archive"))?;
    if entries > MAX_ZIP_ENTRIES {
        return Err(problem(format!(
            "the zip has {entries} entries; Stackplan takes at most {MAX_ZIP_ENTRIES}"
        )));
    }
    let archive = zip::ZipArchive::new(Cursor::new(zip))
        .map_err(|_| problem("the upload is not a zip archive"))?;
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

/// The number of entries a zip's end of central directory record gives (its Zip64 record's
/// when the classic one's 16-bit count is saturated), read without opening the archive.
/// `None`: no such record.
fn zip_entries(zip: &[u8]) -> Option<u64> {
    const END: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
    const LOCATOR: [u8; 4] = [0x50, 0x4b, 0x06, 0x07];
    const END64: [u8; 4] = [0x50, 0x4b, 0x06, 0x06];
    let u16_at = |at: usize| Some(u16::from_le_bytes(zip.get(at..at + 2)?.try_into().ok()?));
    let u64_at = |at: usize| Some(u64::from_le_bytes(zip.get(at..at + 8)?.try_into().ok()?));
    // The record is 22 bytes and ends with a comment of at most 65,535 bytes.
    let lowest = zip.len().saturating_sub(22 + usize::from(u16::MAX));
    let end = (lowest..=zip.len().checked_sub(22)?)
        .rev()
        .find(|&at| zip[at..at + 4] == END)?;
    let classic = u16_at(end + 10)?;
    if classic != u16::MAX {
        return Some(u64::from(classic));
    }
    // Zip64: a 20-byte locator just before the record gives the Zip64 record's offset.
    let locator = end.checked_sub(20)?;
    if zip[locator..locator + 4] != LOCATOR {
        return Some(u64::from(classic));
    }
    let at = usize::try_from(u64_at(locator + 8)?).ok()?;
    if zip.get(at..at + 4)? != END64 {
        return None;
    }
    u64_at(at + 32)
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

    /// An end of central directory record claiming `entries`, classic or Zip64, after some
    /// bytes standing for the archive (the count is read before the archive is).
    fn end_records(entries: u64) -> Vec<u8> {
        let mut zip = vec![0u8; 64];
        let count = u16::try_from(entries).unwrap_or(u16::MAX);
        if count == u16::MAX {
            let at = zip.len() as u64;
            zip.extend([0x50, 0x4b, 0x06, 0x06]);
            zip.extend(44u64.to_le_bytes()); // the record's size after this field
            zip.extend([45, 0, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // versions, disk numbers
            zip.extend(entries.to_le_bytes()); // entries on this disk
            zip.extend(entries.to_le_bytes()); // entries in all
            zip.extend([0u8; 16]); // the central directory's size and offset
            zip.extend([0x50, 0x4b, 0x06, 0x07, 0, 0, 0, 0]);
            zip.extend(at.to_le_bytes());
            zip.extend(1u32.to_le_bytes());
        }
        zip.extend([0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0]);
        zip.extend(count.to_le_bytes());
        zip.extend(count.to_le_bytes());
        zip.extend([0u8; 10]); // the central directory's size and offset, no comment
        zip
    }

    #[test]
    fn a_zip_of_too_many_entries_is_refused_before_it_is_opened() {
        let files = handler_files(Runtime::Python313, "app.handler");
        let real = zip_of(&[("app.py", "x = 1"), ("lib/a.py", ""), ("lib/b.py", "")]);
        assert_eq!(zip_entries(&real), Some(3));
        assert_eq!(zip_entries(&end_records(7)), Some(7));
        assert_eq!(zip_entries(&end_records(70_000)), Some(70_000));
        assert_eq!(zip_entries(b"no record here, just text"), None);
        let many = check_zip(&end_records(1_100_000), &files).unwrap_err();
        assert_eq!(many[0].path, "code");
        assert!(
            many[0].message.contains("1100000 entries") && many[0].message.contains("100000"),
            "{many:?}"
        );
        // At the limit the count passes, and the archive itself is read (this one is only
        // records, so it is not a zip).
        let at_limit = check_zip(&end_records(MAX_ZIP_ENTRIES), &files).unwrap_err();
        assert!(at_limit[0].message.contains("not a zip"), "{at_limit:?}");
    }
}
