//! Following a stack: the event stream read to its final event, reconnecting with
//! `Last-Event-ID`, and each event applied to the panel.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::{DeployEvent, ErrorCode, Status};

use super::flow::{Deploy, Lost, Phase};
use super::progress::Row;
use crate::api::Client;
use crate::embed::HostEvent;

/// Failed connections in a row before the panel stops following a stack: with the pauses
/// between them, about half a minute without the server.
const MAX_FAILURES: u32 = 12;

impl Deploy {
    /// Follows the event stream to its final event, reconnecting with `Last-Event-ID` after
    /// the last event shown whenever the connection ends before it. A stream may end many
    /// times over a long deploy (a server restarting, a laptop waking): only
    /// [`MAX_FAILURES`] failed connections in a row, with a growing pause, give up.
    /// `deleting`: the answer of the DELETE being followed; a stack that is gone by the time
    /// the stream opens was deleted. `last`: the id of the last event shown, if any. Given up,
    /// the stack is kept in [`Deploy::lost`] for Reconnect.
    pub(super) fn watch(
        self,
        client: Client,
        id: String,
        name: String,
        deleting: Option<Status>,
        mut last: Option<String>,
    ) {
        crate::api::remember_following(&id, &name);
        spawn_local(async move {
            let mut failures = 0u32;
            loop {
                let on_event = move |event: DeployEvent| self.on_event(event);
                let before = last.clone();
                match client.events(&id, &mut last, &on_event).await {
                    Ok(()) => failures = 0,
                    // Followed again after a reload, but gone since (deleted), or not this
                    // token's: nothing to show, and nothing to follow next time.
                    Err(e)
                        if e.code() == Some(ErrorCode::UnknownDeployment)
                            && self.resuming.get_value() =>
                    {
                        crate::api::forget_following();
                        self.resuming.set_value(false);
                        // What the stack was followed to show ("already matches") is still
                        // the answer to the deploy, with nothing to show it by.
                        self.notice.set(self.then_say.write_value().take());
                        self.followed.set(None);
                        self.phase.set(Phase::Idle);
                        return;
                    }
                    Err(e)
                        if e.code() == Some(ErrorCode::UnknownDeployment) && deleting.is_some() =>
                    {
                        crate::api::forget_following();
                        let mut gone = deleting.clone().expect("checked");
                        gone.status = "DELETE_COMPLETE".into();
                        (gone.done, gone.succeeded) = (true, true);
                        gone.progress.finished = gone.progress.total;
                        gone.progress.percent = 100;
                        self.phase.set(Phase::Finished(Box::new(gone)));
                    }
                    Err(e) => {
                        // A connection that brought events before it broke was not a failure
                        // to connect.
                        failures = if last == before { failures + 1 } else { 1 };
                        // The server's refusals (a token no longer valid, a deployment it does
                        // not know) do not change by asking again; a lost connection, a
                        // server error and a full watcher list may.
                        // A token no longer valid (revoked, or a server restarted with a new
                        // one) is asked for again, and with it the stack is followed again.
                        let token_gone = e.token_refused();
                        let lasting =
                            (400..500).contains(&e.status) && e.status != 429 && !token_gone;
                        if token_gone || lasting || failures >= MAX_FAILURES {
                            // "Reconnecting…" is over: the error says what happened instead.
                            self.notice.set(None);
                            if token_gone {
                                self.forget_token();
                            }
                            self.fail(format!(
                                "Lost the deploy's event stream: {}. The stack carries on in CloudFormation.{}",
                                e.message,
                                if token_gone {
                                    " Give the token again above: the panel then follows the stack again."
                                } else {
                                    ""
                                }
                            ));
                            // Asking again may help once the server or the network is back.
                            if !lasting {
                                self.lost.set(Some(Lost {
                                    id,
                                    name,
                                    deleting,
                                    last_event: last,
                                    for_token: token_gone,
                                }));
                            }
                            return;
                        }
                        self.notice.set(Some(format!(
                            "Reconnecting to the event stream ({})…",
                            e.message
                        )));
                    }
                }
                match self.phase.get_untracked() {
                    Phase::Finished(status) => {
                        self.post_host_settled(
                            if deleting.is_some() {
                                HostEvent::DeleteFinished {
                                    id: id.clone(),
                                    stack_name: name.clone(),
                                    status: status.status,
                                    succeeded: status.succeeded,
                                }
                            } else {
                                HostEvent::DeployFinished {
                                    id: id.clone(),
                                    stack_name: name.clone(),
                                    status: status.status,
                                    succeeded: status.succeeded,
                                    outputs: status.outputs,
                                }
                            },
                            last.as_deref(),
                        );
                        return;
                    }
                    Phase::Idle => return, // the stream said it ended without a status
                    _ => {}
                }
                crate::browser::sleep_ms(500 * failures.clamp(1, 10)).await;
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
                self.progress.set(e.progress);
                self.notice.set(None);
            }
            DeployEvent::Notice(n) => self.notice.set(Some(n.message)),
            DeployEvent::Done(status) => {
                self.notice.set(None);
                self.resuming.set_value(false);
                // A stack followed because Deploy found it busy has settled: the refusal's
                // "wait" is done, and the plan is still to deploy.
                if std::mem::take(&mut *self.waited_out.write_value()) {
                    self.error.set(None);
                    self.notice.set(Some(format!(
                        "{} has settled ({}): click Deploy again to deploy this plan to it.",
                        status.stack_name, status.status
                    )));
                }
                if let Some(said) = self.then_say.write_value().take() {
                    self.notice.set(Some(said));
                }
                // The stack shown is one a Deploy of its name would update, unless it is
                // gone or can only be deleted.
                let updatable = status.status.ends_with("_COMPLETE")
                    && !matches!(
                        status.status.as_str(),
                        "DELETE_COMPLETE" | "ROLLBACK_COMPLETE"
                    );
                self.followed.set(
                    shared::plan::Region::from_code(&status.region)
                        .filter(|_| updatable)
                        .map(|region| (status.stack_name.clone(), region)),
                );
                if status.status == "DELETE_COMPLETE" {
                    crate::api::forget_following();
                }
                self.progress.set(status.progress);
                self.phase.set(Phase::Finished(status));
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
