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

impl Deployer {
    /// `PUT /api/deployments/{id}/code`: checks the zip against the handler of the plan the
    /// stack records and stores it in the stack's code bucket.
    pub async fn upload_code(
        &self,
        grant: &Grant,
        id: &str,
        zip: bytes::Bytes,
    ) -> Result<CodeUpload, DeployError> {
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
}
