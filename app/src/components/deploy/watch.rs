//! Following a stack: the event stream read to its final event, reconnecting with
//! `Last-Event-ID`, and each event applied to the panel.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::{DeployEvent, ErrorCode, Status};

use super::flow::{Deploy, Phase};
use super::progress::Row;
use crate::api::Client;
use crate::embed::HostEvent;

impl Deploy {
    /// Follows the event stream to its final event, reconnecting with `Last-Event-ID` when the
    /// connection drops (a few times, with a growing pause). `deleting`: the answer of the
    /// DELETE being followed; a stack that is gone by the time the stream opens was deleted.
    pub(super) fn watch(self, client: Client, id: String, name: String, deleting: Option<Status>) {
        spawn_local(async move {
            let mut last = None;
            for attempt in 0..6u32 {
                let on_event = move |event: DeployEvent| self.on_event(event);
                match client.events(&id, last.clone(), &on_event).await {
                    Ok(l) => last = l,
                    Err(e)
                        if e.code() == Some(ErrorCode::UnknownDeployment) && deleting.is_some() =>
                    {
                        let mut gone = deleting.clone().expect("checked");
                        gone.status = "DELETE_COMPLETE".into();
                        (gone.done, gone.succeeded) = (true, true);
                        gone.progress.finished = gone.progress.total;
                        gone.progress.percent = 100;
                        self.phase.set(Phase::Finished(Box::new(gone)));
                    }
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
                        self.post_host(HostEvent::DeployFinished {
                            id: id.clone(),
                            stack_name: name.clone(),
                            status: status.status,
                            succeeded: status.succeeded,
                            outputs: status.outputs,
                        });
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
            // The stream ends; the loop in `watch` reconnects with `Last-Event-ID`.
            DeployEvent::Reconnect(r) => self.notice.set(Some(r.message)),
        }
    }
}
