//! "Connect an AWS account": the account bootstrap, step by step. The server hands out the
//! template, a fresh ExternalId and the exact command; the user deploys it with their own
//! credentials and starts the server with its outputs.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::Bootstrap;

use super::flow::Deploy;
use crate::api::{ApiFailure, Client};

pub fn connect(d: Deploy) -> AnyView {
    let answer = RwSignal::new(None::<Result<Bootstrap, ApiFailure>>);
    let load = move |_| {
        if answer.get_untracked().is_some() {
            return;
        }
        let Some(token) = d.token.get_untracked() else {
            return;
        };
        spawn_local(async move {
            answer.set(Some(Client::of_page(Some(token)).bootstrap().await));
        });
    };
    view! {
        <details class="connect" data-testid="connect-account" on:toggle=load>
            <summary>"Connect an AWS account"</summary>
            {move || match answer.get() {
                None => view! { <p class="muted">"Asking the server…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="banner error">{e.explain()}</p> }.into_any(),
                Some(Ok(b)) => steps(b),
            }}
        </details>
    }
    .into_any()
}

fn steps(b: Bootstrap) -> AnyView {
    let (file, template) = (b.file_name.clone(), b.template.clone());
    let download = move |_| {
        let _ = crate::browser::download(&file, "application/json", &template);
    };
    let session_of = b.trusted_principal.as_deref().and_then(session_role);
    let principal = b
        .trusted_principal
        .clone()
        .unwrap_or_else(|| "the ARN this server runs as".into());
    view! {
        <ol class="steps">
            <li>
                "Download the bootstrap template: a deployer role that trusts only this server ("
                <code>{principal}</code>") and asks for a fresh ExternalId, an execution role with exactly the actions Stackplan's resources need, and a permissions boundary for every role a stack creates. Nothing gets administrator rights. "
                <button type="button" data-testid="download-bootstrap" on:click=download>"Download "{b.file_name.clone()}</button>
            </li>
            <li>
                "Deploy it with credentials of the account to deploy into:"
                <pre class="code" data-testid="bootstrap-command">{b.command.clone()}</pre>
            </li>
            <li>
                "Start Stackplan with the stack's outputs:"
                <pre class="code">{b.next.clone()}</pre>
            </li>
        </ol>
        {session_of.map(|role| view! {
            <p class="muted" data-testid="session-principal">
                "This server runs as a session of the role "<code>{role.clone()}</code>". A session's ARN changes when the session does (a new ECS task or EC2 instance): if so, give the bootstrap the role's own ARN instead ("<code>"arn:aws:iam::ACCOUNT:role/PATH/"{role}</code>", with the role's path if it has one)."
            </p>
        })}
        <p class="muted">"The ExternalId is new each time this opens; use the one in the commands above for both steps."</p>
        <p class="muted" data-testid="bootstrap-update-note">"Updating a bootstrap stack a server already deploys with? Keep that server's ExternalId: run "<code>"stackplan bootstrap --external-id <its ID>"</code>" instead. The new ID above would lock that server out until it is restarted with it."</p>
    }
    .into_any()
}

/// The role of an assumed-role session ARN (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`).
fn session_role(arn: &str) -> Option<String> {
    let (_, rest) = arn.split_once(":assumed-role/")?;
    let (role, _session) = rest.split_once('/')?;
    Some(role.to_string())
}

#[cfg(test)]
mod tests {
    use super::session_role;

    #[test]
    fn a_sessions_role_is_named_and_a_role_or_user_is_not_a_session() {
        assert_eq!(
            session_role("arn:aws:sts::111122223333:assumed-role/stackplan-server/task-0f1e")
                .as_deref(),
            Some("stackplan-server")
        );
        assert_eq!(
            session_role("arn:aws:iam::111122223333:role/stackplan-server"),
            None
        );
        assert_eq!(session_role("arn:aws:iam::111122223333:user/moto"), None);
    }
}
