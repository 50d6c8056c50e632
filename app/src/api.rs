//! The typed client of `stackplan serve`'s API: gloo-net requests and answers of
//! `shared::api`'s types, and the deploy event stream read through `fetch` (an `EventSource`
//! cannot send the token) with the shared SSE parser.

use std::future::Future;
use std::pin::Pin;

use gloo_net::http::{Request, RequestBuilder};
use serde::de::DeserializeOwned;
use shared::api::{
    Bootstrap, CodeUpload, CreateDeployment, Created, DeployEvent, DeployTarget, ErrorBody,
    ErrorCode, ExecuteDeployment, ImageCheck, PriceBookAnswer, Status, TokenInfo, sse,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

const TOKEN_KEY: &str = "stackplan-token";
/// Set while this tab's token is the one a login URL brought (not one typed here).
const FROM_LINK_KEY: &str = "stackplan-token-from-link";

/// This tab's session storage, where the token and the deployment it follows are kept.
use crate::browser::session_storage as storage;

/// The token for this tab: taken from a login URL's `#token=…` (then removed from the
/// address bar), or from this tab's session storage.
pub fn token() -> Option<String> {
    take_token(&crate::browser::page_base())
}

/// Takes a login URL's token like [`token`], the address going back to `back_to`: after a
/// `hashchange` to a login URL, the address before it (the plan's link the tab was at).
pub fn take_token(back_to: &str) -> Option<String> {
    let storage = storage()?;
    if let Some(hash) = crate::browser::location_hash()
        && let Some(token) = login_token(&hash)
    {
        let _ = storage.set_item(TOKEN_KEY, token);
        // When: each login link taken is told apart, the same token brought again included.
        let _ = storage.set_item(
            FROM_LINK_KEY,
            &shared::decimal::Plain(js_sys::Date::now()).to_string(),
        );
        crate::browser::replace_fragment(back_to);
    }
    storage.get_item(TOKEN_KEY).ok()?.filter(|t| !t.is_empty())
}

/// How a login URL's fragment starts.
pub const LOGIN_FRAGMENT: &str = "#token=";

/// The token of a login URL's fragment (`#token=…`, not empty); `None` for any other fragment.
pub fn login_token(fragment: &str) -> Option<&str> {
    fragment
        .strip_prefix(LOGIN_FRAGMENT)
        .filter(|t| !t.is_empty())
}

/// Whether this tab's token came from a login URL: the deploy panel says so, since a link
/// anyone may send would have the tab deploy with their token.
pub fn token_from_link() -> bool {
    link_token_taken().is_some()
}

/// When this tab's token was taken from a login URL, if it was.
pub fn link_token_taken() -> Option<String> {
    storage()?.get_item(FROM_LINK_KEY).ok()?
}

/// Keeps `token` (typed in the panel, or "" to forget the tab's) for this tab.
pub fn set_token(token: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(TOKEN_KEY, token.trim());
        let _ = storage.remove_item(FROM_LINK_KEY);
    }
}

/// The deployment this tab follows, or followed last (`id`, then the stack's name, on two
/// lines): after a reload the panel follows it again, or shows how it ended, instead of
/// losing a deploy that goes on in CloudFormation. The id is sealed and owner-bound; another
/// token's requests with it are 404s.
const FOLLOWING_KEY: &str = "stackplan-following";

/// Keeps the deployment the panel follows, for a reload of this tab.
pub fn remember_following(id: &str, stack_name: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(FOLLOWING_KEY, &format!("{id}\n{stack_name}"));
    }
}

/// Forgets it (its stack was deleted, or the server no longer knows it).
pub fn forget_following() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(FOLLOWING_KEY);
    }
}

/// The deploy form's stack name (when typed) and parameters, kept for a reload of this tab, so
/// that a reload does not deploy under the default name, or without the image tag typed.
const FORM_KEY: &str = "stackplan-deploy-form";

/// What the deploy form keeps for a reload.
#[derive(Default, serde::Serialize, serde::Deserialize)]
pub struct KeptForm {
    pub stack_name: Option<String>,
    pub parameters: std::collections::BTreeMap<String, String>,
    /// The plan they were typed for (`project/region/architecture`): the page reloaded with
    /// another plan (a link followed in the tab) starts its form afresh.
    #[serde(default)]
    pub plan: String,
}

/// Keeps the deploy form's stack name and parameters (see [`FORM_KEY`]).
pub fn remember_form(form: &KeptForm) {
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(form)) {
        let _ = storage.set_item(FORM_KEY, &text);
    }
}

/// The deploy form this tab had before it was reloaded (empty when none, or unreadable).
pub fn kept_form() -> KeptForm {
    storage()
        .and_then(|s| s.get_item(FORM_KEY).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// The deployment this tab followed last: `(id, stack name)`.
pub fn following() -> Option<(String, String)> {
    let text = storage()?.get_item(FOLLOWING_KEY).ok()??;
    let (id, name) = text.split_once('\n')?;
    Some((id.to_string(), name.to_string()))
}

/// A request's answer: its status and text.
type Answer = Pin<Box<dyn Future<Output = Result<(u16, String), ApiFailure>>>>;

/// A request that did not succeed: no answer at all, or the API's error.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiFailure {
    /// The HTTP status; 0 when the server could not be reached.
    pub status: u16,
    /// The API's error, when it answered with one.
    pub error: Option<Box<ErrorBody>>,
    /// What to tell the user.
    pub message: String,
}

impl ApiFailure {
    fn unreachable() -> ApiFailure {
        ApiFailure {
            status: 0,
            error: None,
            message: "the Stackplan server cannot be reached".into(),
        }
    }

    /// The API's error code, if it gave one.
    pub fn code(&self) -> Option<ErrorCode> {
        self.error.as_ref().map(|e| e.error)
    }

    /// The server does not take the token (none sent, or one it does not know): the page
    /// forgets it and asks for one.
    pub fn token_refused(&self) -> bool {
        matches!(
            self.code(),
            Some(ErrorCode::InvalidToken | ErrorCode::MissingToken)
        )
    }

    /// The message, with the problems or blockers the API listed, one per line.
    pub fn explain(&self) -> String {
        self.explain_but(&|_| false)
    }

    /// As [`ApiFailure::explain`], without the problems whose path `shown_apart` takes (the
    /// deploy panel links the plan's to their fields).
    pub fn explain_but(&self, shown_apart: &dyn Fn(&str) -> bool) -> String {
        let mut text = self.message.clone();
        if let Some(e) = &self.error {
            // A message that ends with its first problem (for a reader of the message alone)
            // stops before it: listed with the others, it is said once.
            if let Some(head) = e.problems.first().and_then(|first| {
                text.strip_suffix(first.message.as_str())
                    .and_then(|head| head.strip_suffix(": "))
            }) {
                text = format!("{head}:");
            }
            for p in e.problems.iter().filter(|p| !shown_apart(&p.path)) {
                text.push_str(&format!("\n• {}: {}", p.path, p.message));
            }
            for b in &e.blockers {
                text.push_str(&format!("\n• {b}"));
            }
        }
        text
    }
}

/// The API of the server at `base` (`scheme://host:port`), with the deploy token if any.
#[derive(Clone, Debug)]
pub struct Client {
    base: String,
    token: Option<String>,
}

impl Client {
    pub fn new(base: impl Into<String>, token: Option<String>) -> Client {
        Client {
            base: base.into(),
            token,
        }
    }

    /// The API of the page's own server.
    pub fn of_page(token: Option<String>) -> Client {
        Client::new(crate::browser::page_origin(), token)
    }

    /// Whether there is a server to ask (not a page opened from a file).
    pub fn has_server(&self) -> bool {
        self.base.starts_with("http")
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// One request: its answer's status and text. Not generic and boxed, so every call
    /// shares this code (generic request futures inlined into each caller cost the wasm
    /// about 10 KB apiece).
    fn fetch(&self, builder: RequestBuilder, body: Option<String>) -> Answer {
        let builder = match &self.token {
            Some(t) => builder.header("Authorization", &format!("Bearer {t}")),
            None => builder,
        };
        Box::pin(async move {
            let request = match body {
                Some(json) => builder
                    .header("Content-Type", "application/json")
                    .body(json),
                None => builder.build(),
            }
            .map_err(|e| ApiFailure {
                status: 0,
                error: None,
                message: format!("the request could not be made: {e}"),
            })?;
            let response = request
                .send()
                .await
                .map_err(|_| ApiFailure::unreachable())?;
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            Ok((status, text))
        })
    }

    /// A request whose answer is a `T`.
    async fn call<T: DeserializeOwned>(
        &self,
        builder: RequestBuilder,
        body: Option<String>,
    ) -> Result<T, ApiFailure> {
        let (status, text) = self.fetch(builder, body).await?;
        read(status, &text)
    }

    fn json<B: serde::Serialize>(body: &B) -> Option<String> {
        Some(serde_json::to_string(body).expect("API types serialize"))
    }

    /// `GET /api/deploy/target`.
    pub async fn deploy_target(&self) -> Result<DeployTarget, ApiFailure> {
        self.call(Request::get(&self.url("/api/deploy/target")), None)
            .await
    }

    /// `GET /api/bootstrap`.
    /// `GET /api/deploy/token`.
    pub async fn token_info(&self) -> Result<TokenInfo, ApiFailure> {
        self.call(Request::get(&self.url("/api/deploy/token")), None)
            .await
    }

    pub async fn bootstrap(&self) -> Result<Bootstrap, ApiFailure> {
        self.call(Request::get(&self.url("/api/bootstrap")), None)
            .await
    }

    /// `GET /api/prices/{region}`.
    pub async fn prices(&self, region: &str) -> Result<PriceBookAnswer, ApiFailure> {
        self.call(
            Request::get(&self.url(&format!("/api/prices/{region}"))),
            None,
        )
        .await
    }

    /// `POST /api/deployments`.
    pub async fn create(&self, request: &CreateDeployment) -> Result<Created, ApiFailure> {
        self.call(
            Request::post(&self.url("/api/deployments")),
            Self::json(request),
        )
        .await
    }

    /// `POST /api/deployments/{id}/execute`.
    pub async fn execute(
        &self,
        id: &str,
        request: &ExecuteDeployment,
    ) -> Result<Status, ApiFailure> {
        let url = self.url(&format!("/api/deployments/{id}/execute"));
        self.call(Request::post(&url), Self::json(request)).await
    }

    /// `GET /api/deployments/{id}/image`.
    pub async fn image(&self, id: &str) -> Result<ImageCheck, ApiFailure> {
        let url = self.url(&format!("/api/deployments/{id}/image"));
        self.call(Request::get(&url), None).await
    }

    /// `PUT /api/deployments/{id}/code`: the file as it is, as `application/octet-stream`.
    pub async fn upload_code(
        &self,
        id: &str,
        file: web_sys::File,
    ) -> Result<CodeUpload, ApiFailure> {
        let url = self.url(&format!("/api/deployments/{id}/code"));
        let mut builder = Request::put(&url).header("Content-Type", "application/octet-stream");
        if let Some(t) = &self.token {
            builder = builder.header("Authorization", &format!("Bearer {t}"));
        }
        let request = builder.body(file).map_err(|e| ApiFailure {
            status: 0,
            error: None,
            message: format!("the upload could not be made: {e}"),
        })?;
        let response = request
            .send()
            .await
            .map_err(|_| ApiFailure::unreachable())?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        read(status, &text)
    }

    /// `DELETE /api/deployments/{id}`.
    pub async fn delete(&self, id: &str) -> Result<Status, ApiFailure> {
        let url = self.url(&format!("/api/deployments/{id}"));
        self.call(Request::delete(&url), None).await
    }

    /// `POST /api/deployments/{id}/continue-rollback`.
    pub async fn continue_rollback(
        &self,
        id: &str,
        request: &shared::api::ContinueRollback,
    ) -> Result<Status, ApiFailure> {
        let url = self.url(&format!("/api/deployments/{id}/continue-rollback"));
        self.call(Request::post(&url), Self::json(request)).await
    }

    /// `POST /api/deployments/{id}/delete-keeping`.
    pub async fn delete_keeping(
        &self,
        id: &str,
        request: &shared::api::DeleteKeeping,
    ) -> Result<Status, ApiFailure> {
        let url = self.url(&format!("/api/deployments/{id}/delete-keeping"));
        self.call(Request::post(&url), Self::json(request)).await
    }

    /// Reads the deployment's event stream to its end, handing each event to `on_event`.
    /// `last_id` is the id of the last event seen: sent as `Last-Event-ID`, and kept up to date
    /// as events arrive, so that a stream that breaks off is resumed after the last event
    /// shown, however it ended.
    pub async fn events(
        &self,
        id: &str,
        last_id: &mut Option<String>,
        on_event: &dyn Fn(DeployEvent),
    ) -> Result<(), ApiFailure> {
        let url = self.url(&format!("/api/deployments/{id}/events"));
        let mut builder = match &self.token {
            Some(t) => Request::get(&url).header("Authorization", &format!("Bearer {t}")),
            None => Request::get(&url),
        };
        if let Some(last) = last_id.as_deref() {
            builder = builder.header("Last-Event-ID", last);
        }
        let request = builder.build().map_err(|_| ApiFailure::unreachable())?;
        let response = request
            .send()
            .await
            .map_err(|_| ApiFailure::unreachable())?;
        if !response.ok() {
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            return Err(failure(status, &text));
        }
        let broken = |what: &str| ApiFailure {
            status: 0,
            error: None,
            message: format!("the event stream broke off ({what})"),
        };
        let body = response.body().ok_or_else(|| broken("no body"))?;
        let reader: web_sys::ReadableStreamDefaultReader = body
            .get_reader()
            .dyn_into()
            .map_err(|_| broken("no reader"))?;
        let decoder = web_sys::TextDecoder::new().map_err(|_| broken("no decoder"))?;
        let options = web_sys::TextDecodeOptions::new();
        options.set_stream(true);
        let mut parser = sse::Parser::with_last_id(last_id.clone());
        loop {
            let chunk = JsFuture::from(reader.read())
                .await
                .map_err(|_| broken("read failed"))?;
            let done = js_sys::Reflect::get(&chunk, &"done".into())
                .ok()
                .and_then(|d| d.as_bool())
                .unwrap_or(true);
            if done {
                return Ok(());
            }
            let value =
                js_sys::Reflect::get(&chunk, &"value".into()).map_err(|_| broken("no chunk"))?;
            let bytes: js_sys::Uint8Array = value.dyn_into().map_err(|_| broken("not bytes"))?;
            let text = decoder
                .decode_with_buffer_source_and_options(&bytes, &options)
                .map_err(|_| broken("not UTF-8"))?;
            for message in parser.push(&text) {
                // An event this client does not know is skipped, never fatal.
                if let Ok(event) = DeployEvent::from_sse(&message) {
                    on_event(event);
                }
                *last_id = parser.last_id().map(String::from);
            }
        }
    }
}

/// A `T` from a successful answer, or the failure an unsuccessful one describes.
fn read<T: DeserializeOwned>(status: u16, text: &str) -> Result<T, ApiFailure> {
    if !(200..300).contains(&status) {
        return Err(failure(status, text));
    }
    serde_json::from_str(text).map_err(|e| ApiFailure {
        status,
        error: None,
        message: format!("the server's answer was not understood: {e}"),
    })
}

fn failure(status: u16, text: &str) -> ApiFailure {
    let error = serde_json::from_str::<ErrorBody>(text).ok();
    match error {
        Some(error) => ApiFailure {
            status,
            message: error.message.clone(),
            error: Some(Box::new(error)),
        },
        None => ApiFailure {
            status,
            error: None,
            message: format!("the server answered HTTP {status}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::api::{ErrorCode, PlanProblem};

    /// A login URL's fragment gives its token; an empty one, a plan's link or another
    /// fragment gives none (the page then treats the address as it would any other).
    #[test]
    fn only_a_login_fragment_with_a_token_gives_one() {
        assert_eq!(login_token("#token=abc.def"), Some("abc.def"));
        assert_eq!(login_token("#token="), None);
        assert_eq!(login_token("#plan=AAAA"), None);
        assert_eq!(login_token("token=abc"), None);
        assert_eq!(login_token(""), None);
    }

    fn failure(message: &str, problems: &[(&str, &str)]) -> ApiFailure {
        let body: ErrorBody = serde_json::from_value(serde_json::json!({
            "error": "beyond_bootstrap",
            "message": message,
            "problems": problems.iter().map(|(path, message)| PlanProblem {
                path: path.to_string(),
                message: message.to_string(),
            }).collect::<Vec<_>>(),
        }))
        .unwrap();
        ApiFailure {
            status: 422,
            error: Some(Box::new(body)),
            message: message.into(),
        }
    }

    /// The API's message names its first problem for a reader of the message alone; the panel
    /// lists every problem, so it says the first once, in the list.
    #[test]
    fn a_problem_the_message_ends_with_is_said_once() {
        let f = failure(
            "the plan names secrets this account's bootstrap does not let stacks use: the secret prod/stripe is outside its prefixes",
            &[
                (
                    "environment[0].secret",
                    "the secret prod/stripe is outside its prefixes",
                ),
                (
                    "environment[1].secret",
                    "the secret prod/mail is outside its prefixes",
                ),
            ],
        );
        assert_eq!(f.code(), Some(ErrorCode::BeyondBootstrap));
        assert_eq!(
            f.explain(),
            "the plan names secrets this account's bootstrap does not let stacks use:\n\
             • environment[0].secret: the secret prod/stripe is outside its prefixes\n\
             • environment[1].secret: the secret prod/mail is outside its prefixes"
        );
        // A message that does not end with it is kept whole.
        let other = failure("the plan has 1 problem", &[("region", "unknown region")]);
        assert_eq!(
            other.explain(),
            "the plan has 1 problem\n• region: unknown region"
        );
    }
}
