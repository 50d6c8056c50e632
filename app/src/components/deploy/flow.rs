//! The deploy panel's state and what its buttons do: create the stack, or an update's change set
//! and execute it, follow the event stream (reconnecting with `Last-Event-ID`), delete the stack.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::{
    Change, ChangeSet, Counted, CreateDeployment, Created, ErrorCode, ExecuteDeployment,
    PlanProblem, Progress, Status,
};

use super::progress::Row;
use crate::api::{self, ApiFailure, Client};
use crate::embed::{self, HostEvent};

/// Where the panel is in a deploy.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    /// Nothing started; the Deploy button is ready.
    Idle,
    /// Creating the stack, or the update's change set (assuming the role, computing the
    /// changes).
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

/// What the panel does while it is busy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Doing {
    /// Creating or updating a stack (or rolling its update back) at this tab's request.
    Deploying,
    /// Deleting the stack, at this tab's request.
    Deleting,
    /// Showing a stack this tab did not start (an existing one), or one it follows again
    /// after a reload (its deploy or deletion goes on in CloudFormation), until it settles.
    Showing,
}

/// A stack being followed when its event stream was given up on.
#[derive(Clone, Debug)]
pub struct Lost {
    pub id: String,
    pub name: String,
    /// The answer of the DELETE being followed, if it was a deletion.
    pub deleting: Option<Status>,
    /// The id of the last event shown (the stream goes on after it).
    pub last_event: Option<String>,
    /// Given up on because the server no longer took the token: followed again as soon as
    /// the panel has another.
    pub for_token: bool,
}

/// The panel's state, shared by its parts (signals are `Copy`).
#[derive(Clone, Copy)]
pub struct Deploy {
    pub phase: RwSignal<Phase>,
    /// What the panel does while busy (or did last), as the Deploy button says it.
    pub doing: RwSignal<Doing>,
    pub error: RwSignal<Option<String>>,
    pub notice: RwSignal<Option<String>>,
    pub id: RwSignal<Option<String>>,
    pub changes: RwSignal<Vec<Change>>,
    pub rows: RwSignal<Vec<Row>>,
    /// Finished resources (or changes), and their total.
    pub progress: RwSignal<Progress>,
    pub token: RwSignal<Option<String>>,
    pub sandbox_notes: RwSignal<Vec<String>>,
    /// The stack parameters the form gives (`ImageTag`, `CodeS3Bucket`, `CodeS3Key`).
    pub parameters: RwSignal<std::collections::BTreeMap<String, String>>,
    /// The problems of the last refused request, by field path (`parameters.ImageTag`).
    pub problems: RwSignal<Vec<PlanProblem>>,
    /// The stack name as typed (`None`: `<project>-<architecture>`). Kept here, not in the
    /// form, so that it outlives the form (which goes while the panel asks for a token).
    pub stack_name: RwSignal<Option<String>>,
    /// The stack whose event stream the panel gave up on, to follow again (Reconnect).
    pub lost: RwSignal<Option<Lost>>,
    /// The last deploy asked for, to ask again as an update.
    last: StoredValue<Option<CreateDeployment>>,
    /// The stack this panel shows, when a Deploy of its name and region would offer to update
    /// it (set when a deploy starts, and by each result: none once it is deleted or can only
    /// be deleted): the form says so.
    pub followed: RwSignal<Option<(String, shared::plan::Region)>>,
    /// Following again, after a reload, the deployment this tab followed before it.
    pub(super) resuming: StoredValue<bool>,
    /// The stack followed was refused as busy: once it settles, the refusal's "wait" is
    /// replaced by what to do next.
    pub(super) waited_out: StoredValue<bool>,
    /// What to say once the stack followed is shown (it already matched the plan).
    pub(super) then_say: StoredValue<Option<String>>,
    /// The plan the kept form was typed for ([`api::KeptForm::plan`]), until the form has
    /// checked it against the plan it shows.
    pub(super) kept_for: StoredValue<Option<String>>,
    /// The update asked for last starts a service that waited for its image (with no task):
    /// its review says the tasks are billed from then on, not the plan's unchanged cost.
    pub(super) starting: StoredValue<bool>,
    /// The update asked for last is of the plan the stack records (starting a waiting
    /// service, running uploaded code), not the form's: an edit of the form leaves it as it is.
    pub(super) of_record: StoredValue<bool>,
    /// How many times the form's plan, stack name or parameters changed, and what changed
    /// first since the last request began (see [`Deploy::edited`]): a plan edit may reset the
    /// parameters after it, and it is the plan the user changed.
    edits: StoredValue<(u64, Option<&'static str>)>,
    host: StoredValue<Option<String>>,
    /// Inside another page's frame: Deploy asks for a confirmation in the frame first.
    pub embedded: bool,
}

impl Deploy {
    pub fn new(host: Option<String>, embedded: bool) -> Deploy {
        let token = RwSignal::new(api::token());
        // A login URL opened in this tab changes only its fragment: its token replaces the
        // tab's (and leaves the address bar), as at the page's start.
        // The same token typed before and brought by a link now is said anew: where it came
        // from changed.
        let taken = StoredValue::new(api::link_token_taken());
        let _ = window_event_listener_untyped("hashchange", move |_| {
            let now = api::token();
            let linked = api::link_token_taken();
            let changed = token.try_get_untracked().is_some_and(|t| t != now)
                || taken.try_get_value().is_some_and(|l| l != linked);
            if changed {
                taken.try_set_value(linked);
                token.try_set(now);
            }
        });
        let kept = api::kept_form();
        Deploy {
            phase: RwSignal::new(Phase::Idle),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            id: RwSignal::new(None),
            changes: RwSignal::new(Vec::new()),
            rows: RwSignal::new(Vec::new()),
            progress: RwSignal::new(Progress::default()),
            token,
            sandbox_notes: RwSignal::new(Vec::new()),
            parameters: RwSignal::new(kept.parameters),
            problems: RwSignal::new(Vec::new()),
            doing: RwSignal::new(Doing::Deploying),
            stack_name: RwSignal::new(kept.stack_name),
            lost: RwSignal::new(None),
            last: StoredValue::new(None),
            followed: RwSignal::new(None),
            resuming: StoredValue::new(false),
            waited_out: StoredValue::new(false),
            then_say: StoredValue::new(None),
            starting: StoredValue::new(false),
            of_record: StoredValue::new(false),
            kept_for: StoredValue::new(Some(kept.plan)),
            edits: StoredValue::new((0, None)),
            host: StoredValue::new(host),
            embedded,
        }
    }

    pub fn busy(&self) -> bool {
        matches!(self.phase.get(), Phase::Preparing | Phase::Running)
    }

    pub(super) fn client(&self) -> Option<Client> {
        self.token.get_untracked().map(|t| Client::of_page(Some(t)))
    }

    pub(super) fn fail(&self, message: String) {
        self.error.set(Some(message));
        self.lost.set(None);
        self.phase.set(Phase::Idle);
    }

    /// Follows the stack the panel lost again, from the last event it showed.
    pub fn reconnect(self) {
        let (Some(client), Some(lost)) = (self.client(), self.lost.get_untracked()) else {
            return;
        };
        self.lost.set(None);
        self.error.set(None);
        self.notice
            .set(Some("Reconnecting to the event stream…".into()));
        self.phase.set(Phase::Running);
        self.watch(client, lost.id, lost.name, lost.deleting, lost.last_event);
    }

    /// Follows again the deployment this tab followed before it was reloaded, if any: a deploy
    /// that goes on in CloudFormation is shown going on (its operation's events from the
    /// start), a finished one with its result, outputs and Delete; one gone since is forgotten.
    pub fn resume(self) {
        let (Some(client), Some((id, name))) = (self.client(), api::following()) else {
            return;
        };
        let notice =
            format!("Following {name} again, the stack this tab deployed before it was reloaded…");
        self.follow(client, id, name, notice);
    }

    /// Follows the stack `id` (this token's), which the panel did not start: to its end, then
    /// its result with Delete. One that is gone is forgotten.
    fn follow(self, client: Client, id: String, name: String, notice: String) {
        if self.phase.get_untracked() != Phase::Idle {
            return;
        }
        self.resuming.set_value(true);
        self.id.set(Some(id.clone()));
        self.rows.set(Vec::new());
        // Nothing of the last deploy shown stays: its bar, its sandbox notes.
        self.progress.set(Progress::default());
        self.sandbox_notes.set(Vec::new());
        self.notice.set(Some(notice));
        self.doing.set(Doing::Showing);
        self.phase.set(Phase::Running);
        self.watch(client, id, name, None, None);
    }

    /// Reports a failed request; a refused token is forgotten, so the panel asks again.
    fn refused(&self, failure: ApiFailure) {
        if failure.token_refused() {
            self.forget_token();
        }
        self.problems.set(
            failure
                .error
                .as_ref()
                .map(|e| e.problems.clone())
                .unwrap_or_default(),
        );
        // The plan's own problems are links to their fields under the message.
        self.fail(failure.explain_but(&|path| plan_field(path).is_some()));
    }

    /// The token goes (the server no longer takes it, or its user says it is not theirs): the
    /// panel asks for one again. Safe from a task that outlives the panel.
    pub(super) fn forget_token(&self) {
        api::set_token("");
        self.token.try_set(None);
    }

    /// The plan of the deploy in progress (the update under review).
    pub fn requested_plan(self) -> Option<shared::plan::Plan> {
        self.last.with_value(|r| r.as_ref().map(|r| r.plan.clone()))
    }

    /// What the form shows changed (`what`: "plan", "stack name", …). The offer to review an
    /// update re-sends the request that found the stack, and an update under review applies
    /// the change set of the request that made it: neither is what the form shows now, so
    /// both go, and Deploy asks again. An offer or a change set still on its way is withdrawn
    /// when it comes ([`Deploy::start`]).
    pub fn edited(self, what: &'static str) {
        self.edits.update_value(|(count, first)| {
            *count += 1;
            first.get_or_insert(what);
        });
        // An update of the plan the stack records (starting a waiting service, running
        // uploaded code) is not the form's: an edit leaves it as it is.
        let outdated = self.phase.with_untracked(|ph| match ph {
            Phase::Exists(_) => true,
            Phase::Review(_) => !self.of_record.get_value(),
            _ => false,
        });
        if outdated {
            self.phase.set(Phase::Idle);
            self.changes.set(Vec::new());
            self.notice
                .set(Some(format!("The {what} changed: {}", again(what))));
        }
    }

    /// Whether Deploy of `name` in `region` updates the stack this panel follows.
    pub fn follows(self, name: &str, region: shared::plan::Region) -> bool {
        self.followed
            .with(|f| f.as_ref().is_some_and(|(n, r)| n == name && *r == region))
    }

    /// Creates a new stack and follows it, or makes an update's change set for review.
    pub fn start(self, request: CreateDeployment) {
        self.start_as(request, false, false);
    }

    /// [`Deploy::start`]; `starting` when the update starts a service waiting for its image,
    /// `of_record` when it is of the plan the stack records rather than the form's.
    fn start_as(self, request: CreateDeployment, starting: bool, of_record: bool) {
        self.starting.set_value(starting);
        self.of_record.set_value(of_record);
        let Some(client) = self.client() else { return };
        let edits = self.edits.with_value(|(count, _)| *count);
        self.edits.update_value(|(_, first)| *first = None);
        let before = self.phase.get_untracked();
        self.last.set_value(Some(request.clone()));
        self.error.set(None);
        self.lost.set(None);
        self.problems.set(Vec::new());
        // The last change set's list goes: it is not this request's.
        self.changes.set(Vec::new());
        self.notice.set(None);
        self.doing.set(Doing::Deploying);
        self.waited_out.set_value(false);
        self.then_say.set_value(None);
        self.phase.set(Phase::Preparing);
        spawn_local(async move {
            // CloudFormation may take longer than one request to compute a change set: the
            // server then answers 202, and the same request again picks the change set up.
            let computing = |answer: &Result<Created, _>| matches!(answer, Ok(created) if created.change_set.as_ref().is_some_and(ChangeSet::is_computing));
            let mut answer = client.create(&request).await;
            for _ in 0..100 {
                match &answer {
                    pending if computing(pending) => {
                        self.notice.set(Some(
                            "CloudFormation is still computing the change set…".into(),
                        ));
                        crate::browser::sleep_ms(3000).await;
                        answer = client.create(&request).await;
                    }
                    _ => break,
                }
            }
            self.notice.set(None);
            let still_computing = computing(&answer);
            match answer {
                Ok(_) if still_computing => self.fail(
                    "CloudFormation is taking very long to compute the change set; try Deploy again in a few minutes.".into(),
                ),
                Ok(created) => {
                    self.id.set(Some(created.id.clone()));
                    self.followed
                        .set(Some((created.stack_name.clone(), request.plan.region)));
                    self.sandbox_notes.set(created.sandbox.notes.clone());
                    // An update counts the changes its change set makes, as the server will.
                    self.progress.set(match &created.change_set {
                        Some(change_set) => Progress {
                            total: u32::try_from(change_set.changes.len()).unwrap_or(u32::MAX),
                            counted: Counted::Changes,
                            ..Progress::default()
                        },
                        None => Progress {
                            total: created.resources,
                            ..Progress::default()
                        },
                    });
                    let (now, what) = self.edits.get_value();
                    match &created.change_set {
                        // Edited while the change set was being made: it holds the request's
                        // plan, not the form's, and is not offered.
                        Some(_) if now != edits && !of_record => {
                            self.phase.set(Phase::Idle);
                            let what = what.unwrap_or("plan");
                            self.notice.set(Some(format!(
                                "The update's change set was made, and the {what} changed meanwhile: {}",
                                again(what)
                            )));
                        }
                        Some(change_set) => {
                            self.changes.set(change_set.changes.clone());
                            self.phase.set(Phase::Review(Box::new(created)));
                        }
                        // A new stack: being created already.
                        None => {
                            self.phase.set(Phase::Running);
                            self.rows.set(Vec::new());
                            self.started(client, created.id, created.stack_name);
                        }
                    }
                }
                Err(f) if f.code() == Some(ErrorCode::StackExists) => {
                    let (now, what) = self.edits.get_value();
                    let what = what.unwrap_or("plan");
                    if now == edits {
                        self.phase.set(Phase::Exists(exists_words(&f.message)));
                    } else {
                        // Edited while the request was on its way: the offer would re-send
                        // a request the form no longer shows.
                        self.phase.set(Phase::Idle);
                        self.notice.set(Some(format!(
                            "A stack of that name exists, and the {what} changed meanwhile: {}",
                            again(what)
                        )));
                    }
                }
                // Nothing wrong: the stack is as asked, said as a notice (after Review the
                // update, the panel goes back to its form; a result shown before stays). If
                // the form changed meanwhile, the plan it shows was not the one compared.
                Err(f) if f.code() == Some(ErrorCode::NoChanges) => {
                    self.phase.set(Phase::Idle);
                    self.keep_result(
                        before,
                        Some((&request.stack_name, request.plan.region.code())),
                    );
                    let (now, what) = self.edits.get_value();
                    let matches = format!(
                        "{} already matches this plan: there is nothing to update.",
                        request.stack_name
                    );
                    // A stack this tab did not deploy (or no longer shows) is shown, with its
                    // outputs and Delete, as the server names it.
                    if let Some(id) = f.error.as_ref().and_then(|e| e.deployment.clone())
                        && now == edits
                        && self.phase.get_untracked() == Phase::Idle
                    {
                        self.then_say.set_value(Some(matches.clone()));
                        self.follow(client, id, request.stack_name.clone(), matches);
                        return;
                    }
                    self.notice.set(Some(if now == edits {
                        matches
                    } else {
                        let what = what.unwrap_or("plan");
                        format!(
                            "{} already matched the request, and the {what} changed meanwhile: {}",
                            request.stack_name,
                            again(what)
                        )
                    }));
                }
                Err(f) => {
                    let not_updatable = f.code() == Some(ErrorCode::StackNotUpdatable);
                    let busy = f.code() == Some(ErrorCode::StackBusy);
                    let existing = f.error.as_ref().and_then(|e| e.deployment.clone());
                    self.refused(f);
                    // A stack that cannot be updated must be deleted first: when it is the
                    // one the panel just showed, its result (with Delete) stays.
                    if not_updatable {
                        self.keep_result(
                            before,
                            Some((&request.stack_name, request.plan.region.code())),
                        );
                    }
                    self.waited_out.set_value(busy && existing.is_some());
                    // Otherwise a busy or failed stack of the token's own (made in another
                    // tab, or by a request whose answer was lost) is followed: to its end,
                    // then its result with Delete, without the AWS console.
                    if let Some(id) = existing {
                        let name = request.stack_name.clone();
                        let notice = format!("Showing the existing stack {name}…");
                        self.follow(client, id, name, notice);
                    }
                }
            }
        });
    }

    /// Shows `before` again, with the error just set, when it is a result (of `stack`, by name
    /// and region, when one is named) whose stack is still there.
    fn keep_result(self, before: Phase, stack: Option<(&str, &str)>) {
        if let Phase::Finished(status) = &before
            && stack
                .is_none_or(|(name, region)| status.stack_name == name && status.region == region)
            && !status.status.starts_with("DELETE_COMPLETE")
        {
            self.phase.set(before);
        }
    }

    /// Asks for the last deploy again, as an update of the existing stack. After a reload
    /// there is no last request: a service waiting for its image is started with the plan its
    /// stack records and the tag it waits for.
    pub fn review_update(self) {
        // A stack shown waiting for its image is started as it waits, whatever this tab sent
        // last (a refused plan, another tag); otherwise the last request is sent again.
        match self.waiting_request() {
            Some(Ok(request)) => self.start_as(request, true, true),
            Some(Err(why)) => self.error.set(Some(why.into())),
            None => {
                if let Some(request) = self.last.get_value() {
                    self.start(CreateDeployment {
                        update: true,
                        ..request
                    })
                }
            }
        }
    }

    /// `None` when the stack shown does not wait for its image. Otherwise the update that
    /// starts its service: the plan the stack records with the tag its task definition names,
    /// or why there is none.
    fn waiting_request(self) -> Option<Result<CreateDeployment, &'static str>> {
        let Phase::Finished(status) = self.phase.get_untracked() else {
            return None;
        };
        let wait = status.waiting_for_image.as_ref()?;
        let tag = [(
            shared::template::IMAGE_TAG_PARAMETER.to_string(),
            wait.image_tag.clone(),
        )];
        Some(recorded_request(&status, tag.into()).ok_or(
            "The stack does not record the plan it was deployed from, so Stackplan cannot start its service as it is: click Deploy to review an update with the plan shown.",
        ))
    }

    /// Asks for an update of the stack shown that runs the code an upload stored there (these
    /// stack parameters), and shows them in the form. The code is what changes: the update is
    /// of the plan the stack records, whatever the form shows meanwhile. A stack that records
    /// none is updated with the last request this tab sent it, if the form has not changed
    /// since.
    pub fn update_with(self, parameters: std::collections::BTreeMap<String, String>) {
        let Phase::Finished(status) = self.phase.get_untracked() else {
            return;
        };
        let request = match recorded_request(&status, parameters.clone()) {
            Some(request) => Some((request, true)),
            None => self
                .last
                .get_value()
                .filter(|last| {
                    last.stack_name == status.stack_name
                        && last.plan.region.code() == status.region
                        && self.edits.with_value(|(_, first)| first.is_none())
                })
                .map(|last| {
                    let mut merged = last.parameters.clone();
                    merged.extend(parameters.clone());
                    let request = CreateDeployment {
                        update: true,
                        parameters: merged,
                        ..last
                    };
                    (request, false)
                }),
        };
        self.parameters.update(|ps| ps.extend(parameters));
        let Some((request, of_record)) = request else {
            self.error.set(Some(
                "The code is uploaded, but the stack does not record the plan it was deployed from: click Deploy to review the update that runs it, with the plan shown.".into(),
            ));
            return;
        };
        // The form's effects hear of its new parameters on the next tick: they are this
        // request's own, not an edit that outdates its change set, so it is sent after them;
        // if the stack the code went to is still the one shown (nothing else started).
        let shown = status.id.clone();
        spawn_local(async move {
            crate::browser::sleep_ms(0).await;
            let still = self
                .phase
                .with_untracked(|ph| matches!(ph, Phase::Finished(s) if s.id == shown));
            if still {
                self.start_as(request, false, of_record);
            }
        });
    }

    /// Executes the deployment's change set (the one its id names) and follows the stack.
    pub fn execute(self, name: String) {
        let (Some(client), Some(id)) = (self.client(), self.id.get_untracked()) else {
            return;
        };
        self.phase.set(Phase::Running);
        self.rows.set(Vec::new());
        spawn_local(async move {
            match client.execute(&id, &ExecuteDeployment {}).await {
                Ok(_) => self.started(client, id, name),
                Err(f) => self.refused(f),
            }
        });
    }

    /// The stack has started changing: the host page hears of it, and the panel follows it.
    fn started(self, client: Client, id: String, name: String) {
        self.post_host(HostEvent::DeployStarted {
            id: id.clone(),
            stack_name: name.clone(),
        });
        self.watch(client, id, name, None, None);
    }

    /// Deletes the stack and follows the deletion.
    pub fn delete(self) {
        self.delete_stack(None);
    }

    /// Deletes the stack whose delete failed, keeping `keep` (what that delete could not
    /// delete) in the account.
    pub fn delete_keeping(self, keep: Vec<String>) {
        self.delete_stack(Some(keep));
    }

    fn delete_stack(self, keep: Option<Vec<String>>) {
        let (Some(client), Some(id)) = (self.client(), self.id.get_untracked()) else {
            return;
        };
        let before = self.phase.get_untracked();
        self.error.set(None);
        self.lost.set(None);
        // The last update's change set is not the deletion's.
        self.changes.set(Vec::new());
        self.doing.set(Doing::Deleting);
        self.phase.set(Phase::Running);
        spawn_local(async move {
            let answer = match keep {
                None => client.delete(&id).await,
                Some(keep) => {
                    let request = shared::api::DeleteKeeping {
                        keep: keep.into_iter().map(shared::api::LogicalId).collect(),
                    };
                    client.delete_keeping(&id, &request).await
                }
            };
            match answer {
                // Deleted already (the sandbox deletes at once): nothing to follow.
                Ok(status) if status.done => {
                    api::forget_following();
                    self.post_host(HostEvent::DeleteFinished {
                        id: id.clone(),
                        stack_name: status.stack_name.clone(),
                        status: status.status.clone(),
                        succeeded: status.succeeded,
                    });
                    // The deploy's events and progress are not the deletion's: its own
                    // progress is in the answer.
                    self.rows.set(Vec::new());
                    self.progress.set(status.progress);
                    self.phase.set(Phase::Finished(Box::new(status)));
                }
                Ok(status) => {
                    // The deletion's events and progress start afresh; a refused delete keeps
                    // the deploy's (below).
                    self.rows.set(Vec::new());
                    self.progress.set(Progress::default());
                    let name = status.stack_name.clone();
                    self.watch(client, id, name, Some(status), None);
                }
                // The result stays, with its Delete button, so that the delete can be tried
                // again (after a throttled or timed-out request, say).
                Err(f) => {
                    self.refused(f);
                    self.keep_result(before, None);
                }
            }
        });
    }

    /// Continues the stack's failed update rollback, leaving `skip` (what it could not roll
    /// back) as it is, and follows it.
    pub fn continue_rollback(self, skip: Vec<String>) {
        let (Some(client), Some(id)) = (self.client(), self.id.get_untracked()) else {
            return;
        };
        let before = self.phase.get_untracked();
        self.error.set(None);
        self.lost.set(None);
        self.doing.set(Doing::Deploying);
        self.phase.set(Phase::Running);
        spawn_local(async move {
            let request = shared::api::ContinueRollback {
                skip: skip.into_iter().map(shared::api::LogicalId).collect(),
            };
            match client.continue_rollback(&id, &request).await {
                Ok(status) => {
                    // The rollback's events come afresh (the stream gives the whole update's).
                    self.rows.set(Vec::new());
                    self.progress.set(status.progress);
                    let name = status.stack_name.clone();
                    self.watch(client, id, name, None, None);
                }
                // Continued already, elsewhere: followed to its end.
                Err(f) if f.code() == Some(ErrorCode::StackBusy) => {
                    let name = match &before {
                        Phase::Finished(status) => status.stack_name.clone(),
                        _ => String::new(),
                    };
                    self.phase.set(Phase::Idle);
                    let notice = format!("{name} is rolling back already; following it…");
                    self.follow(client, id, name, notice);
                }
                // The result stays, with its actions, to try again.
                Err(f) => {
                    self.refused(f);
                    self.keep_result(before, None);
                }
            }
        });
    }

    pub(super) fn post_host(&self, event: HostEvent) {
        if let Some(host) = self.host.get_value() {
            embed::post(&host, &event);
        }
    }

    /// [`Deploy::post_host`] for a settled operation, told once ([`embed::post_settled`]).
    pub(super) fn post_host_settled(&self, event: HostEvent, last_event: Option<&str>) {
        if let Some(host) = self.host.get_value() {
            embed::post_settled(&host, &event, last_event);
        }
    }
}

/// The server's offer to update, in the panel's words: its first part names the stack and
/// its status; what follows is for the planner and the API alike, and the panel has its own
/// button ("a stack named shop already exists in us-east-1 (UPDATE_COMPLETE): review its
/// update …" → "A stack named shop already exists in us-east-1 (UPDATE_COMPLETE). Review its
/// update to see what would change; nothing changes until you apply it.").
pub fn exists_words(message: &str) -> String {
    let Some((stack, _)) = message.split_once(": review its update") else {
        return message.to_string();
    };
    // ASCII only: `char::to_uppercase` would bring Unicode's case tables into the panel's
    // wasm, and the message starts with "a stack".
    let mut stack = stack.to_string();
    if let Some(first) = stack.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    format!(
        "{stack}. Review its update to see what would change; nothing changes until you apply it."
    )
}

/// What Deploy does after `what` changed under an offer to update: with another stack name
/// there may be no stack to update, and a new stack is created at once.
fn again(what: &str) -> &'static str {
    if what == "stack name" {
        "click Deploy again to deploy to the stack now named."
    } else {
        "click Deploy again to review the update with it."
    }
}

/// An update of the stack `status` shows, with the plan it records and `parameters` (the
/// server keeps the values of those left out); `None` when it records no plan this page reads.
fn recorded_request(
    status: &Status,
    parameters: std::collections::BTreeMap<String, String>,
) -> Option<CreateDeployment> {
    let plan = status
        .plan_link
        .as_deref()
        .and_then(|link| shared::link::decode(link).ok())?;
    Some(CreateDeployment {
        plan,
        stack_name: status.stack_name.clone(),
        template: None,
        role_arn: None,
        update: true,
        parameters,
    })
}

/// The planner's field a problem of the request names (`plan.environment[2].secret`), if it
/// names one of the plan's.
pub fn plan_field(path: &str) -> Option<&str> {
    path.strip_prefix("plan.")
}

#[cfg(test)]
mod tests {
    /// The server's offer to update, as the panel says it: no API instructions in the page.
    #[test]
    fn the_offer_to_update_is_said_in_the_panels_words() {
        assert_eq!(
            super::exists_words(
                "a stack named shop-lambda already exists in us-east-1 (UPDATE_COMPLETE): review its update to see the changes first (in the planner, Review the update; in the API, the same request with \"update\": true)"
            ),
            "A stack named shop-lambda already exists in us-east-1 (UPDATE_COMPLETE). Review its update to see what would change; nothing changes until you apply it."
        );
        // Another message is shown as it is.
        assert_eq!(super::exists_words("something else"), "something else");
    }
}
