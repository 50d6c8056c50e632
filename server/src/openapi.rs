//! The API's routes and its OpenAPI document, made from one list. A route can only be added
//! through [`Routes::add`], which takes its description along with its handler, so the document
//! lists exactly the routes the router serves; the schemas are generated from `shared::api`'s
//! types (and the plan's, the same as `stackplan schema`) by schemars.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, on};
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Map, Value, json};
use shared::api::ErrorCode;

use crate::AppState;

/// How an operation's body or answer is shaped.
#[derive(Clone, Copy)]
pub enum Body {
    /// JSON of a type, by its schema.
    Json(fn(&mut SchemaGenerator) -> schemars::Schema),
    /// Any JSON object (the OpenAPI document itself).
    AnyJson,
    /// A `text/event-stream`.
    EventStream,
    /// Bytes of a file (a zip), sent as they are.
    Binary,
}

/// The schema of `T`, as a [`Body`].
pub fn json<T: schemars::JsonSchema>() -> Body {
    Body::Json(|g| g.subschema_for::<T>())
}

/// One documented route.
#[derive(Clone)]
pub struct Operation {
    pub method: Method,
    /// The full path, with `{name}` parameters.
    pub path: &'static str,
    pub id: &'static str,
    pub summary: &'static str,
    /// Needs `Authorization: Bearer <token>`.
    pub auth: bool,
    /// The request body, and whether it may be left out.
    pub request: Option<(Body, bool)>,
    /// An example request body (the fuzzer's first request, and a reader's).
    pub example: Option<fn() -> Value>,
    /// The success status and body.
    pub ok: (u16, &'static str, Body),
    /// Another success status with the same body, and when it is answered.
    pub also: Option<(u16, &'static str)>,
    /// Every error the route's own logic answers with. Authentication and body errors are
    /// added from `auth` and `request`.
    pub errors: &'static [ErrorCode],
    /// Path parameters: name, description, schema.
    pub params: &'static [(&'static str, &'static str, Param)],
    /// Header parameters: name, description.
    pub headers: &'static [(&'static str, &'static str)],
    /// Operations whose `id` parameter the success answer's `id` gives (OpenAPI links).
    pub links: &'static [&'static str],
}

/// The schema of a path parameter.
#[derive(Clone, Copy)]
pub enum Param {
    /// Any non-empty string.
    Text,
    /// A region Stackplan plans for.
    Region,
}

impl Operation {
    /// Every error code this route can answer with.
    pub fn all_errors(&self) -> Vec<ErrorCode> {
        let mut codes = self.errors.to_vec();
        // Every route: the Host guard and the time limit (an event stream's, until its first
        // byte).
        codes.extend([ErrorCode::MisdirectedRequest, ErrorCode::TimedOut]);
        if self.auth {
            codes.extend([ErrorCode::MissingToken, ErrorCode::InvalidToken]);
        }
        if self.request.is_some() {
            codes.extend([
                ErrorCode::BadRequest,
                ErrorCode::UnsupportedMediaType,
                ErrorCode::PayloadTooLarge,
            ]);
        }
        codes.sort();
        codes.dedup();
        codes
    }
}

/// The router and the list of what it serves, built together.
pub struct Routes {
    router: Router<AppState>,
    operations: Vec<Operation>,
}

impl Default for Routes {
    fn default() -> Self {
        Routes {
            router: Router::new(),
            operations: Vec::new(),
        }
    }
}

impl Routes {
    /// Adds a route and its description.
    pub fn add<H, T>(mut self, op: Operation, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(op.method.clone()).expect("a routable method");
        self.router = self.router.route(op.path, on(filter, handler));
        self.operations.push(op);
        self
    }

    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<Operation>) {
        (self.router, self.operations)
    }
}

/// The OpenAPI 3.1 document of `operations`.
pub fn document(operations: &[Operation]) -> Value {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = "#/components/schemas/".into();
    let mut generator = settings.into_generator();
    let error_ref = generator.subschema_for::<shared::api::ErrorBody>();
    let region_ref = generator.subschema_for::<shared::plan::Region>();
    let mut paths = Map::new();
    for op in operations {
        let mut operation = Map::new();
        operation.insert("operationId".into(), json!(op.id));
        operation.insert("summary".into(), json!(op.summary));
        let mut parameters: Vec<Value> = op
            .params
            .iter()
            .map(|(name, description, param)| {
                let schema = match param {
                    Param::Text => json!({"type": "string", "minLength": 1}),
                    Param::Region => region_ref.clone().to_value(),
                };
                json!({"name": name, "in": "path", "required": true,
                       "description": description, "schema": schema})
            })
            .collect();
        parameters.extend(op.headers.iter().map(|(name, description)| {
            json!({"name": name, "in": "header", "required": false,
                   "description": description, "schema": {"type": "string"}})
        }));
        if !parameters.is_empty() {
            operation.insert("parameters".into(), Value::Array(parameters));
        }
        if let Some((body, optional)) = &op.request {
            let mut content = content(*body, &mut generator);
            if let (Some(example), Some(media)) = (op.example, content.get_mut("application/json"))
            {
                media["example"] = example();
            }
            operation.insert(
                "requestBody".into(),
                json!({"required": !optional, "content": content}),
            );
        }
        let mut responses = Map::new();
        let (status, description, body) = op.ok;
        let mut ok = json!({"description": description, "content": content(body, &mut generator)});
        if !op.links.is_empty() {
            let links: Map<String, Value> = op
                .links
                .iter()
                .map(|target| {
                    let link =
                        json!({"operationId": target, "parameters": {"id": "$response.body#/id"}});
                    (target.to_string(), link)
                })
                .collect();
            ok["links"] = Value::Object(links);
        }
        if let Some((other, when)) = op.also {
            let mut also = ok.clone();
            also["description"] = json!(when);
            responses.insert(other.to_string(), also);
        }
        responses.insert(status.to_string(), ok);
        let mut by_status: std::collections::BTreeMap<u16, Vec<ErrorCode>> = Default::default();
        for code in op.all_errors() {
            by_status.entry(code.status()).or_default().push(code);
        }
        for (status, codes) in by_status {
            let names: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
            let schema = json!({"allOf": [error_ref.clone().to_value(),
                {"properties": {"error": {"enum": names}}}]});
            responses.insert(
                status.to_string(),
                json!({"description": names.join(", "),
                       "content": {"application/json": {"schema": schema}}}),
            );
        }
        operation.insert("responses".into(), Value::Object(responses));
        if op.auth {
            operation.insert("security".into(), json!([{"bearer": []}]));
        }
        let path = paths
            .entry(op.path.to_string())
            .or_insert_with(|| json!({}));
        path[op.method.as_str().to_ascii_lowercase()] = Value::Object(operation);
    }
    // The event stream's data, for clients to read it by.
    for event in [
        generator.subschema_for::<shared::api::StackEvent>(),
        generator.subschema_for::<shared::api::Notice>(),
        generator.subschema_for::<shared::api::StreamError>(),
    ] {
        debug_assert!(event.as_object().is_some_and(|o| o.contains_key("$ref")));
    }
    let schemas = generator.take_definitions(true);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Stackplan",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Plan, price and deploy a web service on AWS. Deploy routes need `Authorization: Bearer <token>` (the login URL `stackplan serve` prints carries one)."
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}
        }
    })
}

fn content(body: Body, generator: &mut SchemaGenerator) -> Value {
    match body {
        Body::Json(schema) => {
            json!({"application/json": {"schema": schema(generator).to_value()}})
        }
        Body::AnyJson => json!({"application/json": {"schema": {"type": "object"}}}),
        Body::Binary => json!({
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
        }),
        // Before OpenAPI 3.2's `itemSchema`, the schema of an event stream describes one event.
        Body::EventStream => json!({"text/event-stream": {"schema": {
            "type": "object",
            "description": "One Server-Sent Event: `stack` (data: a StackEvent; `id:` its id), `notice` (a Notice), then `done` (a Status) or `error` (a StreamError), after which the stream ends; or `reconnect` (a Reconnect: the server is stopping), after which the client reconnects with `Last-Event-ID`.",
            "required": ["event", "data"],
            "properties": {
                "event": {"enum": ["stack", "notice", "done", "error", "reconnect"]},
                "data": {"type": "string", "contentMediaType": "application/json"},
                "id": {"type": "string"},
                "retry": {"type": "integer", "minimum": 0}
            }
        }}}),
    }
}
