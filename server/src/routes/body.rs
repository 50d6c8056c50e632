//! JSON request bodies: `application/json` only, at most [`super::BODY_LIMIT`] bytes, read with
//! the path of the field at fault. An error inside the plan is a 422 `invalid_plan` listing it;
//! any other is a 400 `bad_request`.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::validate::{Problem, Severity};

use crate::deploy::DeployError;
use crate::error::ApiError;

/// A JSON body of type `T`.
pub struct JsonBody<T>(pub T);

/// A JSON body that may be left out (no body, or an empty one, whatever its content type).
pub struct OptionalJsonBody<T>(pub Option<T>);

/// A DELETE's missing body (nothing, or only whitespace): a delete sent with one is refused
/// rather than done without reading it, since its sender meant something by it (most likely
/// what `delete-keeping` takes, which its refusal names).
pub struct NoDeleteBody;

fn is_json(req: &Request) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
}

/// A body sent compressed (`Content-Encoding: gzip`) is refused as such: read as it is, it
/// would be refused for being no JSON, or no zip, which misleads.
pub fn unencoded(headers: &axum::http::HeaderMap) -> Result<(), ApiError> {
    for value in headers.get_all(axum::http::header::CONTENT_ENCODING) {
        let text = String::from_utf8_lossy(value.as_bytes());
        let coded = text
            .split(',')
            .map(str::trim)
            .find(|c| !c.is_empty() && !c.eq_ignore_ascii_case("identity"));
        if let Some(coding) = coded {
            let shown: String = coding
                .chars()
                .take(40)
                .filter(|c| c.is_ascii_graphic())
                .collect();
            return Err(ApiError::UnsupportedEncoding(shown));
        }
    }
    Ok(())
}

async fn bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    unencoded(req.headers())?;
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(super::BODY_LIMIT)
        } else {
            ApiError::BadBody(e.body_text())
        }
    })
}

/// Parses `bytes` as `T`, naming the field at fault.
pub fn parse<T: DeserializeOwned + Serialize>(bytes: &[u8]) -> Result<T, ApiError> {
    // A byte order mark before the JSON is read past, as a plan file's is (RFC 8259 lets a
    // reader ignore one).
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Every body is an object: serde would read a struct from an array too, by position.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::BadBody("the body is not a JSON object".into()));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let parsed = parse_from(de, bytes)?;
    // Nothing may follow the object: a second one, or anything else, would be dropped unread.
    de.end().map_err(|e| {
        ApiError::BadBody(format!(
            "the body goes on after its JSON object ({})",
            e.to_string()
                .replace("trailing characters", "more characters")
        ))
    })?;
    // An object given as an array, which serde read by position (the body's own was checked
    // above).
    if let Some(path) = bytes
        .contains(&b'[')
        .then(|| std::str::from_utf8(bytes).ok())
        .flatten()
        .and_then(|text| shared::shape::array_for_object(text, &parsed))
    {
        let message = shared::shape::ARRAY_FOR_OBJECT.to_string();
        return Err(if is_plans(&path) {
            invalid_plan(bytes, &path, message)
        } else {
            ApiError::BadBody(format!("{path}: {message}"))
        });
    }
    Ok(parsed)
}

/// Whether serde's `path` in a body is the plan's or inside it (`plan[3]`: inside a plan given
/// as an array, which the plan read on its own says is no object).
fn is_plans(path: &str) -> bool {
    path.strip_prefix("plan")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

/// The plan's problems, named from the plan, as validation names them, and all of them: the
/// plan is read again on its own, which reads on past the first (serde stopped at `path`,
/// which is `message`'s).
fn invalid_plan(bytes: &[u8], path: &str, message: String) -> ApiError {
    let (every, more) = every_plan_error(bytes);
    let problems = if every.is_empty() {
        vec![Problem {
            path: path.strip_prefix("plan.").unwrap_or("plan").to_string(),
            message,
            severity: Severity::Error,
        }]
    } else {
        every
    };
    ApiError::Deploy(DeployError::InvalidPlan { problems, more })
}

/// Reads `T` from `de`, naming the field at fault (`bytes` is what `de` reads).
fn parse_from<T: DeserializeOwned>(
    de: &mut serde_json::Deserializer<serde_json::de::SliceRead<'_>>,
    bytes: &[u8],
) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let message = shared::plan::expected_in_words(&e.inner().to_string());
        if is_plans(&path) {
            invalid_plan(bytes, &path, message)
        } else if let Some(field) = (path == ".")
            .then(|| shared::plan::duplicate_field_path(&path, &message))
            .flatten()
        {
            // serde says a field given twice of the object holding it: the body.
            ApiError::BadBody(format!("{field}: {message}"))
        } else if path == "." || path == "?" {
            // No field to name: the body as a whole (`.`), or a place serde could not follow
            // (`?`, inside a key that does not read).
            ApiError::BadBody(message)
        } else {
            ApiError::BadBody(format!("{path}: {message}"))
        }
    })
}

/// Every field error of the body's `plan`, read on its own (none when it reads, or is not
/// there), and whether it has more than are listed.
fn every_plan_error(bytes: &[u8]) -> (Vec<Problem>, bool) {
    /// The plan's own text, as it was sent: a `Value` would keep only the last of a key given
    /// twice, and that error would go unnamed.
    #[derive(serde::Deserialize)]
    struct PlanText<'a> {
        #[serde(borrow)]
        plan: Option<&'a serde_json::value::RawValue>,
    }
    let Some(plan) = serde_json::from_slice::<PlanText<'_>>(bytes)
        .ok()
        .and_then(|body| body.plan)
    else {
        return (Vec::new(), false);
    };
    let Err(error) = shared::Plan::from_unseen_json(plan.get()) else {
        return (Vec::new(), false);
    };
    let more = matches!(error, shared::plan::ParseError::Invalid { cut: true, .. });
    // At most MORE_ERRORS + 1 (the API's description says so).
    let mut problems: Vec<Problem> = error
        .field_errors()
        .into_iter()
        .map(|e| Problem {
            path: e.path,
            message: e.message,
            severity: Severity::Error,
        })
        .collect();
    // An error of the whole plan (it is no object): said of the plan.
    if problems.is_empty() {
        problems.push(Problem {
            path: "plan".into(),
            message: error.to_string(),
            severity: Severity::Error,
        });
    }
    (problems, more)
}

impl<T: DeserializeOwned + Serialize, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(&req) {
            return Err(ApiError::UnsupportedMediaType("application/json"));
        }
        let bytes = bytes(req, state).await?;
        parse(&bytes).map(JsonBody)
    }
}

impl<S: Send + Sync> FromRequest<S> for NoDeleteBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = bytes(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            Ok(NoDeleteBody)
        } else {
            Err(ApiError::BadBody(
                "a DELETE takes no body, and nothing was done: to delete a stack whose delete failed while keeping what it could not delete, send the body to POST /api/deployments/{id}/delete-keeping".into(),
            ))
        }
    }
}

impl<T: DeserializeOwned + Serialize, S: Send + Sync> FromRequest<S> for OptionalJsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = is_json(&req);
        let bytes = bytes(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJsonBody(None));
        }
        if !json {
            return Err(ApiError::UnsupportedMediaType("application/json"));
        }
        parse(&bytes).map(|v| OptionalJsonBody(Some(v)))
    }
}

/// Reads a body of at most `max` bytes that never goes `stall` without sending something: a
/// body that stops sending is dropped rather than holding its place until the request's
/// deadline (a slow but steady one runs to that deadline).
pub async fn read_limited(
    body: axum::body::Body,
    max: usize,
    stall: std::time::Duration,
) -> Result<Bytes, ApiError> {
    use tokio_stream::StreamExt;
    let mut chunks = body.into_data_stream();
    let mut read = Vec::new();
    loop {
        let chunk = tokio::time::timeout(stall, chunks.next())
            .await
            .map_err(|_| {
                ApiError::BadBody(format!(
                    "the body sent nothing for {} s and was dropped; send it again",
                    stall.as_secs()
                ))
            })?;
        let Some(chunk) = chunk else {
            return Ok(Bytes::from(read));
        };
        let data = chunk.map_err(|_| ApiError::BadBody("the body broke off".into()))?;
        if read.len() + data.len() > max {
            return Err(ApiError::PayloadTooLarge(max));
        }
        read.extend_from_slice(&data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Serialize, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Request {
        #[allow(dead_code)]
        stack_name: String,
    }

    fn refused(body: &str) -> String {
        match parse::<Request>(body.as_bytes()) {
            Err(ApiError::BadBody(message)) => message,
            other => panic!("{body}: {other:?}"),
        }
    }

    /// A body is one JSON object and nothing after it: what follows it would otherwise be
    /// dropped unread, and an array would be read as the object's fields by position.
    #[test]
    fn a_body_is_one_object_and_nothing_more() {
        assert!(parse::<Request>(b" {\"stack_name\": \"shop\"}\n ").is_ok());
        assert!(parse::<Request>(b"\xEF\xBB\xBF{\"stack_name\": \"shop\"}").is_ok());
        for (body, says) in [
            (
                "{\"stack_name\": \"shop\"}}}]]nonsense",
                "the body goes on after its JSON object (more characters at line 1 column 23)",
            ),
            (
                "{\"stack_name\": \"shop\"}{\"stack_name\": \"other\"}",
                "the body goes on after its JSON object (more characters at line 1 column 23)",
            ),
            ("[\"shop\"]", "the body is not a JSON object"),
            ("\"shop\"", "the body is not a JSON object"),
            ("", "the body is not a JSON object"),
        ] {
            assert_eq!(refused(body), says, "{body}");
        }
        // A field given twice is named.
        assert_eq!(
            refused("{\"stack_name\": \"a\", \"stack_name\": \"b\"}"),
            "stack_name: duplicate field `stack_name` at line 1 column 32"
        );
        // A field error is still named by its path.
        assert!(refused("{\"stak_name\": \"x\"}").contains("stak_name"));
    }

    /// The problems of a deploy request's plan (`plan`, its JSON), as `path: message` lines:
    /// the request must be refused for them.
    fn plan_problems(plan: &str) -> Vec<String> {
        let body = format!(r#"{{"stack_name": "shop", "plan": {plan}}}"#);
        let Err(ApiError::Deploy(DeployError::InvalidPlan { problems, .. })) =
            parse::<shared::api::CreateDeployment>(body.as_bytes())
        else {
            panic!("not refused as an invalid plan: {body}");
        };
        problems
            .iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect()
    }

    /// An object's fields as an array, in their order.
    fn by_position(object: serde_json::Value) -> serde_json::Value {
        serde_json::Value::Array(object.as_object().unwrap().values().cloned().collect())
    }

    /// An object given as an array is refused by its path, in the plan and outside it: serde
    /// alone would read it by position.
    #[test]
    fn an_array_for_an_object_is_refused_by_its_path() {
        let mut plan = serde_json::to_value(shared::examples::fargate()).unwrap();
        plan["workload"] = by_position(plan["workload"].take());
        let body = format!(r#"{{"stack_name": "shop", "plan": {plan}}}"#);
        assert!(serde_json::from_str::<shared::api::CreateDeployment>(&body).is_ok());
        assert_eq!(
            plan_problems(&plan.to_string()),
            [format!("workload: {}", shared::shape::ARRAY_FOR_OBJECT)]
        );

        #[derive(Debug, serde::Serialize, serde::Deserialize)]
        struct Outer {
            inner: Inner,
        }
        #[derive(Debug, serde::Serialize, serde::Deserialize)]
        struct Inner {
            name: String,
        }
        let said = match parse::<Outer>(br#"{"inner": ["x"]}"#) {
            Err(ApiError::BadBody(message)) => message,
            other => panic!("{other:?}"),
        };
        assert_eq!(said, format!("inner: {}", shared::shape::ARRAY_FOR_OBJECT));
        assert!(parse::<Outer>(br#"{"inner": {"name": "[x]"}}"#).is_ok());

        // The whole plan as an array, read by position or stopped inside (the Lambda
        // example's section taken for `fargate`, by its place): named at `plan`.
        let whole = |plan: shared::Plan| by_position(serde_json::to_value(plan).unwrap());
        for plan in [
            whole(shared::examples::fargate()),
            whole(shared::examples::lambda()),
            serde_json::json!([[[1]]]),
        ] {
            assert_eq!(
                plan_problems(&plan.to_string()),
                [format!("plan: {}", shared::plan::ParseError::NotAnObject)]
            );
        }
    }

    /// A plan's problems are all named, a key given twice among them, though the plan is read
    /// again on its own to find them.
    #[test]
    fn a_key_given_twice_is_named_with_the_plans_other_problems() {
        let mut plan = serde_json::to_value(shared::examples::fargate()).unwrap();
        plan["tags"] = serde_json::json!({"env": "prod"});
        plan["workload"]["requests_per_month"] = serde_json::json!("many");
        let plan = plan
            .to_string()
            .replace(r#""env":"prod""#, r#""env":"prod","env":"dev""#);
        assert!(plan.contains(r#""env":"dev""#), "{plan}");
        let said = plan_problems(&plan);
        assert!(
            said.iter()
                .any(|s| s.starts_with("tags: the key `env` is given twice")),
            "{said:?}"
        );
        assert!(
            said.iter()
                .any(|s| s.starts_with("workload.requests_per_month: ")),
            "{said:?}"
        );
    }
}
