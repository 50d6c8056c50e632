//! The deploy panel's state and what its buttons do: create the change set, execute it, follow
//! the event stream (reconnecting with `Last-Event-ID`), delete the stack.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::{
    Change, ChangeSetKind, CreateDeployment, Created, DeployEvent, ErrorCode, ExecuteDeployment,
    Status,
};

use crate::api::{self, ApiFailure, Client};
use crate::embed;

/// Where the panel is in a deploy.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    /// Nothing started; the Deploy button is ready.
    Idle,
    /// Creating the change set (assuming the role, computing the changes).
    Preparing,
    /// A stack of that name exists: offer to review an update.
    Exists(String),
    /// An update's change set, waiting for the user's confirmation.
    Review(Box<Created>),
    /// Creating, updating or deleting; events arrive.
    Running,
    /// The stack settled: the final status.
    Finished(Box<Status>),
}

/// One row of the event list.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub time: String,
    pub logical_id: String,
    pub resource_type: String,
    pub status: String,
    pub reason: String,
}

/// The panel's state, shared by its parts (signals are `Copy`).
#[derive(Clone, Copy)]
pub struct Deploy {
    pub phase: RwSignal<Phase>,
    pub error: RwSignal<Option<String>>,
    pub notice: RwSignal<Option<String>>,
    pub id: RwSignal<Option<String>>,
    pub changes: RwSignal<Vec<Change>>,
    pub rows: RwSignal<Vec<Row>>,
    /// Finished resources, and the template's total.
    pub progress: RwSignal<(u32, u32)>,
    pub token: RwSignal<Option<String>>,
    pub sandbox_notes: RwSignal<Vec<String>>,
    /// The last deploy asked for, to ask again as an update.
    last: StoredValue<Option<CreateDeployment>>,
    host: StoredValue<Option<String>>,
}

impl Deploy {
    pub fn new(host: Option<String>) -> Deploy {
        Deploy {
            phase: RwSignal::new(Phase::Idle),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            id: RwSignal::new(None),
            changes: RwSignal::new(Vec::new()),
            rows: RwSignal::new(Vec::new()),
            progress: RwSignal::new((0, 0)),
            token: RwSignal::new(api::token()),
            sandbox_notes: RwSignal::new(Vec::new()),
            last: StoredValue::new(None),
            host: StoredValue::new(host),
        }
    }

    pub fn busy(&self) -> bool {
        matches!(self.phase.get(), Phase::Preparing | Phase::Running)
    }

    fn client(&self) -> Option<Client> {
        self.token.get_untracked().map(|t| Client::of_page(Some(t)))
    }

    fn fail(&self, message: String) {
        self.error.set(Some(message));
        self.phase.set(Phase::Idle);
    }

    /// Reports a failed request; a refused token is forgotten, so the panel asks again.
    fn refused(&self, failure: ApiFailure) {
        if matches!(
            failure.code(),
            Some(ErrorCode::InvalidToken | ErrorCode::MissingToken)
        ) {
            api::set_token("");
            self.token.set(None);
        }
        self.fail(failure.explain());
    }

    /// Creates the change set; a new stack is executed at once, an update waits for review.
    pub fn start(self, request: CreateDeployment) {
        let Some(client) = self.client() else { return };
        self.last.set_value(Some(request.clone()));
        self.error.set(None);
        self.notice.set(None);
        self.phase.set(Phase::Preparing);
        spawn_local(async move {
            match client.create(&request).await {
                Ok(created) => {
                    self.id.set(Some(created.id.clone()));
                    self.changes.set(created.change_set.changes.clone());
                    self.sandbox_notes.set(
                        created
                            .sandbox
                            .skipped
                            .iter()
                            .map(|s| format!("The sandbox skips {s}: moto cannot create it."))
                            .chain(created.sandbox.notes.iter().cloned())
                            .collect(),
                    );
                    self.progress.set((0, created.resources));
                    match created.change_set.kind {
                        ChangeSetKind::Update => self.phase.set(Phase::Review(Box::new(created))),
                        ChangeSetKind::Create => {
                            let change_set = created.change_set.id.clone();
                            self.execute(Some(change_set), created.stack_name);
                        }
                    }
                }
                Err(f) if f.code() == Some(ErrorCode::StackExists) => {
                    self.phase.set(Phase::Exists(f.message))
                }
                Err(f) => self.refused(f),
            }
        });
    }

    /// Asks for the last deploy again, as an update of the existing stack.
    pub fn review_update(self) {
        if let Some(request) = self.last.get_value() {
            self.start(CreateDeployment {
                update: true,
                ..request
            });
        }
    }

    /// Executes the change set and follows the stack.
    pub fn execute(self, change_set: Option<String>, name: String) {
        let (Some(client), Some(id)) = (self.client(), self.id.get_untracked()) else {
            return;
        };
        self.phase.set(Phase::Running);
        self.rows.set(Vec::new());
        spawn_local(async move {
            let request = ExecuteDeployment {
                change_set_id: change_set,
            };
            match client.execute(&id, &request).await {
                Ok(_) => {
                    self.post_host(
                        "deploy-started",
                        serde_json::json!({ "id": id, "stack_name": name }),
                    );
                    self.watch(client, id, name);
                }
                Err(f) => self.refused(f),
            }
        });
    }

    /// Deletes the stack and follows the deletion.
    pub fn delete(self) {
        let (Some(client), Some(id)) = (self.client(), self.id.get_untracked()) else {
            return;
        };
        self.error.set(None);
        self.phase.set(Phase::Running);
        self.rows.set(Vec::new());
        spawn_local(async move {
            match client.delete(&id).await {
                Ok(status) => self.watch(client, id, status.stack_name),
                Err(f) => self.refused(f),
            }
        });
    }

    fn post_host(&self, kind: &str, detail: serde_json::Value) {
        if let Some(host) = self.host.get_value() {
            embed::post(&host, kind, detail);
        }
    }

    /// Follows the event stream to its final event, reconnecting with `Last-Event-ID` when the
    /// connection drops (a few times, with a growing pause).
    fn watch(self, client: Client, id: String, name: String) {
        spawn_local(async move {
            let mut last = None;
            for attempt in 0..6u32 {
                let on_event = move |event: DeployEvent| self.on_event(event);
                match client.events(&id, last.clone(), &on_event).await {
                    Ok(l) => last = l,
                    Err(e) if attempt == 5 => {
                        self.fail(format!(
                            "Lost the deploy's event stream: {}. The stack carries on in CloudFormation.",
                            e.message
                        ));
                        return;
                    }
                    Err(e) => self.notice.set(Some(format!(
                        "Reconnecting to the event stream ({})…",
                        e.message
                    ))),
                }
                match self.phase.get_untracked() {
                    Phase::Finished(status) => {
                        self.post_host(
                            "deploy-finished",
                            serde_json::json!({
                                "id": id, "stack_name": name, "status": status.status,
                                "succeeded": status.succeeded, "outputs": status.outputs,
                            }),
                        );
                        return;
                    }
                    Phase::Idle => return, // the stream said it ended without a status
                    _ => {}
                }
                crate::browser::sleep_ms(500 * (attempt + 1)).await;
            }
        });
    }

    fn on_event(&self, event: DeployEvent) {
        match event {
            DeployEvent::Stack(e) => {
                self.rows.update(|rows| {
                    rows.push(Row {
                        time: e.time,
                        logical_id: e.logical_id,
                        resource_type: e.resource_type,
                        status: e.status,
                        reason: e.reason.unwrap_or_default(),
                    })
                });
                self.progress.set((e.progress.finished, e.progress.total));
                self.notice.set(None);
            }
            DeployEvent::Notice(n) => self.notice.set(Some(n.message)),
            DeployEvent::Done(status) => {
                self.notice.set(None);
                self.progress
                    .set((status.progress.finished, status.progress.total));
                self.phase.set(Phase::Finished(Box::new(status)));
            }
            DeployEvent::Error(e) => {
                self.notice.set(None);
                self.fail(e.message);
            }
        }
    }
}

/// Percent done, 0–100.
pub fn percent((done, total): (u32, u32)) -> u32 {
    (done * 100).checked_div(total).unwrap_or(0).min(100)
}
