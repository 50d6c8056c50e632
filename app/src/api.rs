//! Talking to `stackplan serve`'s deploy API: JSON requests with the bearer token, and the
//! Server-Sent Events stream read through `fetch` (an `EventSource` cannot send the token).

use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

const TOKEN_KEY: &str = "stackplan-token";

/// The token for this tab: taken from a login URL's `#token=…` (then removed from the
/// address bar), or from this tab's session storage.
pub fn token() -> Option<String> {
    let storage = web_sys::window()?.session_storage().ok()??;
    if let Some(hash) = crate::browser::location_hash()
        && let Some(token) = hash.strip_prefix("#token=")
        && !token.is_empty()
    {
        let _ = storage.set_item(TOKEN_KEY, token);
        crate::browser::replace_fragment(&crate::browser::page_base());
    }
    storage.get_item(TOKEN_KEY).ok()?.filter(|t| !t.is_empty())
}

pub fn set_token(token: &str) {
    if let Some(Ok(Some(storage))) = web_sys::window().map(|w| w.session_storage()) {
        let _ = storage.set_item(TOKEN_KEY, token.trim());
    }
}

/// An answer of the API: the HTTP status and its JSON body.
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The server's sentence for an error.
    pub fn message(&self) -> String {
        self.body["message"].as_str().map_or_else(
            || format!("the server answered HTTP {}", self.status),
            String::from,
        )
    }
}

fn request(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&Value>,
    extra: &[(&str, &str)],
) -> Result<web_sys::Request, String> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|_| "no Headers")?;
    if let Some(t) = token {
        headers
            .set("Authorization", &format!("Bearer {t}"))
            .map_err(|_| "bad token")?;
    }
    for (k, v) in extra {
        headers.set(k, v).map_err(|_| "bad header")?;
    }
    if let Some(b) = body {
        headers
            .set("Content-Type", "application/json")
            .map_err(|_| "bad header")?;
        init.set_body(&wasm_bindgen::JsValue::from_str(&b.to_string()));
    }
    init.set_headers(&headers);
    web_sys::Request::new_with_str_and_init(url, &init)
        .map_err(|_| format!("cannot make a request to {url}"))
}

async fn send(req: web_sys::Request) -> Result<web_sys::Response, String> {
    let window = web_sys::window().ok_or("no window")?;
    let res = JsFuture::from(window.fetch_with_request(&req))
        .await
        .map_err(|_| "the Stackplan server cannot be reached".to_string())?;
    res.dyn_into().map_err(|_| "not a response".into())
}

/// A response's body as text (empty when it cannot be read).
async fn text_of(res: &web_sys::Response) -> String {
    match res.text() {
        Ok(p) => JsFuture::from(p)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// One JSON request.
pub async fn call(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Result<Answer, String> {
    let res = send(request(method, url, token, body, &[])?).await?;
    let status = res.status();
    let text = text_of(&res).await;
    Ok(Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    })
}

/// One message of an event stream.
#[derive(Clone, Debug, PartialEq)]
pub struct SseMessage {
    pub event: String,
    pub id: Option<String>,
    pub data: Value,
}

/// Splits complete SSE messages off the front of `buffer`, leaving a partial one behind.
pub fn take_messages(buffer: &mut String) -> Vec<SseMessage> {
    let mut out = Vec::new();
    while let Some(end) = buffer.find("\n\n") {
        let block: String = buffer.drain(..end + 2).collect();
        let (mut event, mut id, mut data) = ("message".to_string(), None, String::new());
        for line in block.lines() {
            if let Some(v) = line.strip_prefix("event:") {
                event = v.trim().to_string();
            } else if let Some(v) = line.strip_prefix("id:") {
                id = Some(v.trim().to_string());
            } else if let Some(v) = line.strip_prefix("data:") {
                data.push_str(v.strip_prefix(' ').unwrap_or(v));
            }
        }
        if !data.is_empty() {
            out.push(SseMessage {
                event,
                id,
                data: serde_json::from_str(&data).unwrap_or(Value::Null),
            });
        }
    }
    out
}

/// Reads an event stream to its end, handing each message to `on_message`. Returns the id of
/// the last event seen, for a reconnect with `Last-Event-ID`.
pub async fn stream(
    url: &str,
    token: &str,
    last_id: Option<String>,
    on_message: &dyn Fn(SseMessage),
) -> Result<Option<String>, String> {
    let extra: Vec<(&str, &str)> = last_id
        .as_deref()
        .map(|l| vec![("Last-Event-ID", l)])
        .unwrap_or_default();
    let res = send(request("GET", url, Some(token), None, &extra)?).await?;
    if !res.ok() {
        let text = text_of(&res).await;
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        return Err(body["message"]
            .as_str()
            .map_or_else(|| format!("HTTP {}", res.status()), String::from));
    }
    let body = res.body().ok_or("the event stream has no body")?;
    let reader: web_sys::ReadableStreamDefaultReader = body
        .get_reader()
        .dyn_into()
        .map_err(|_| "no stream reader")?;
    let decoder = web_sys::TextDecoder::new().map_err(|_| "no TextDecoder")?;
    let mut buffer = String::new();
    let mut last = last_id;
    loop {
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|_| "the event stream broke off".to_string())?;
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            return Ok(last);
        }
        let value = js_sys::Reflect::get(&chunk, &"value".into()).map_err(|_| "no chunk")?;
        let bytes: js_sys::Uint8Array = value.dyn_into().map_err(|_| "not bytes")?;
        let options = web_sys::TextDecodeOptions::new();
        options.set_stream(true);
        let text = decoder
            .decode_with_buffer_source_and_options(&bytes, &options)
            .map_err(|_| "not UTF-8")?;
        buffer.push_str(&text.replace("\r\n", "\n"));
        for message in take_messages(&mut buffer) {
            if message.id.is_some() {
                last = message.id.clone();
            }
            on_message(message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_messages_are_split_and_partial_ones_kept() {
        let mut buffer =
            "event: stack\nid: e1\ndata: {\"a\":1}\n\n: keep-alive\n\nevent: done\ndata: {\"b\""
                .to_string();
        let got = take_messages(&mut buffer);
        assert_eq!(
            got,
            vec![SseMessage {
                event: "stack".into(),
                id: Some("e1".into()),
                data: serde_json::json!({"a": 1})
            }]
        );
        buffer.push_str(":2}\n\n");
        let got = take_messages(&mut buffer);
        assert_eq!(got[0].event, "done");
        assert_eq!(got[0].data["b"], 2);
        assert!(buffer.is_empty());
    }
}
