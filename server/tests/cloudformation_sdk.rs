//! The CloudFormation adapter through the real `aws-sdk-cloudformation` client, fed answers of
//! DescribeStackEvents' documented shape (the Query protocol's XML, newest event first, paged
//! with `NextToken`) by the SDK's own test HTTP client. moto does not page stack events, so
//! the paging rule is tested here.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_smithy_types::body::SdkBody;
use server::aws::cloudformation::{CloudFormation, SdkCloudFormation, Session};
use server::aws::sts::TempCredentials;

/// One page of DescribeStackEvents: `(id, logical id, type, status)`, newest first.
fn page(events: &[(&str, &str, &str, &str)], next: Option<&str>) -> String {
    let members: String = events
        .iter()
        .enumerate()
        .map(|(i, (id, logical, ty, status))| {
            format!(
                "<member><EventId>{id}</EventId><StackName>shop</StackName><StackId>arn:aws:cloudformation:us-east-1:111122223333:stack/shop/0a1b</StackId><LogicalResourceId>{logical}</LogicalResourceId><ResourceType>{ty}</ResourceType><Timestamp>2026-11-27T10:{:02}:00Z</Timestamp><ResourceStatus>{status}</ResourceStatus></member>",
                59 - i
            )
        })
        .collect();
    let next = next
        .map(|n| format!("<NextToken>{n}</NextToken>"))
        .unwrap_or_default();
    format!(
        r#"<DescribeStackEventsResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStackEventsResult><StackEvents>{members}</StackEvents>{next}</DescribeStackEventsResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></DescribeStackEventsResponse>"#
    )
}

/// The adapter through the real SDK client, whose HTTP answers `respond` gives: `(status,
/// body)` for each request's form-encoded body. Every answer carries the request id header, as
/// AWS's do.
fn adapter(respond: impl Fn(String) -> (u16, String) + Send + Sync + 'static) -> SdkCloudFormation {
    let http = aws_smithy_http_client::test_util::infallible_client_fn(
        move |req: http::Request<SdkBody>| {
            let body = String::from_utf8(req.body().bytes().unwrap().to_vec()).unwrap();
            let (status, answer) = respond(body);
            http::Response::builder()
                .status(status)
                .header("content-type", "text/xml")
                .header("x-amzn-requestid", REQUEST_ID)
                .body(SdkBody::from(answer))
                .unwrap()
        },
    );
    let sdk = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .http_client(http)
        .build();
    SdkCloudFormation::new(
        &sdk,
        "https://cloudformation.us-east-1.amazonaws.com".into(),
    )
}

const REQUEST_ID: &str = "5c9a0f1e-7b7e-4c1a-9d0e-1f2a3b4c5d6e";

fn session() -> Session {
    Session {
        region: "us-east-1".into(),
        credentials: TempCredentials {
            access_key_id: "ASIATEST".into(),
            secret_access_key: "secret".into(),
            session_token: "token".into(),
            expires: SystemTime::now() + Duration::from_secs(900),
        },
        watched: true,
    }
}

const STACK: &str = "AWS::CloudFormation::Stack";
const TOPIC: &str = "AWS::SNS::Topic";

#[tokio::test]
async fn event_pages_stop_at_the_start_of_the_latest_operation() {
    // Three pages, newest first: an update in progress (page 1 and the top of page 2, where
    // UPDATE_IN_PROGRESS starts it), then the create before it (the rest of page 2, page 3).
    let pages = [
        page(
            &[
                ("e9", "Topic", TOPIC, "UPDATE_COMPLETE"),
                ("e8", "Topic", TOPIC, "UPDATE_IN_PROGRESS"),
            ],
            Some("p2"),
        ),
        page(
            &[
                ("e7", "shop", STACK, "UPDATE_IN_PROGRESS"),
                ("e6", "shop", STACK, "CREATE_COMPLETE"),
                ("e5", "Topic", TOPIC, "CREATE_COMPLETE"),
            ],
            Some("p3"),
        ),
        page(
            &[
                ("e4", "Topic", TOPIC, "CREATE_IN_PROGRESS"),
                ("e3", "shop", STACK, "CREATE_IN_PROGRESS"),
                ("e2", "shop", STACK, "REVIEW_IN_PROGRESS"),
            ],
            None,
        ),
    ];
    let asked = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = asked.clone();
    let cfn = adapter(move |body| {
        assert!(body.contains("Action=DescribeStackEvents"), "{body}");
        seen.lock().unwrap().push(body.clone());
        let at = match body
            .split("NextToken=")
            .nth(1)
            .map(|t| t.split('&').next().unwrap())
        {
            None => 0,
            Some("p2") => 1,
            Some("p3") => 2,
            Some(other) => panic!("unknown token {other}"),
        };
        (200, pages[at].clone())
    });
    let session = session();
    let events = cfn.events(&session, "shop").await.unwrap();
    let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    // Oldest first; page 3 (the create's start) was never asked for.
    assert_eq!(ids, ["e5", "e6", "e7", "e8", "e9"]);
    assert_eq!(
        asked.lock().unwrap().len(),
        2,
        "{:?}",
        asked.lock().unwrap()
    );
    assert_eq!(
        server::deploy::progress::current_operation(&events)
            .iter()
            .map(|e| e.id.as_str())
            .collect::<Vec<_>>(),
        ["e7", "e8", "e9"]
    );
}

/// The account and the principals in AWS's texts, as AWS words them (a resource handler's
/// refusal, an IAM denial).
const ACCOUNT: &str = "111122223333";

/// AWS's texts are scrubbed where they enter: an event's reason and an error's message keep
/// what a user acts on (the action refused, the service, AWS's request id) and lose every ARN
/// and account id, so neither a log line nor an answer of the server's names the account.
#[tokio::test]
async fn reasons_and_errors_from_aws_name_no_account() {
    let reason = format!(
        "Resource handler returned message: &quot;User: arn:aws:sts::{ACCOUNT}:assumed-role/stackplan-exec/AWSCloudFormation is not authorized to perform: ec2:CreateVpc on resource: arn:aws:ec2:us-east-1:{ACCOUNT}:vpc/* because no permissions boundary allows the ec2:CreateVpc action&quot; (RequestToken: 5d1e, HandlerErrorCode: AccessDenied)"
    );
    let events = format!(
        r#"<DescribeStackEventsResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStackEventsResult><StackEvents><member><EventId>e2</EventId><StackName>shop</StackName><StackId>arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/shop/0a1b</StackId><LogicalResourceId>Vpc</LogicalResourceId><ResourceType>AWS::EC2::VPC</ResourceType><Timestamp>2026-11-27T10:01:00Z</Timestamp><ResourceStatus>CREATE_FAILED</ResourceStatus><ResourceStatusReason>{reason}</ResourceStatusReason></member><member><EventId>e1</EventId><StackName>shop</StackName><StackId>arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/shop/0a1b</StackId><LogicalResourceId>shop</LogicalResourceId><ResourceType>{STACK}</ResourceType><Timestamp>2026-11-27T10:00:00Z</Timestamp><ResourceStatus>CREATE_IN_PROGRESS</ResourceStatus><ResourceStatusReason>User Initiated</ResourceStatusReason></member></StackEvents></DescribeStackEventsResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></DescribeStackEventsResponse>"#
    );
    let denied = format!(
        r#"<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:sts::{ACCOUNT}:assumed-role/stackplan-deployer/stackplan-shop is not authorized to perform: cloudformation:DescribeStacks on resource: arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/shop/* because no session policy allows the cloudformation:DescribeStacks action (account {ACCOUNT})</Message></Error><RequestId>r-2</RequestId></ErrorResponse>"#
    );
    let cfn = adapter(move |body| {
        if body.contains("Action=DescribeStackEvents") {
            (200, events.clone())
        } else {
            assert!(body.contains("Action=DescribeStacks"), "{body}");
            (403, denied.clone())
        }
    });
    let session = session();

    let events = cfn.events(&session, "shop").await.unwrap();
    let reasons: Vec<Option<&str>> = events.iter().map(|e| e.reason.as_deref()).collect();
    assert_eq!(
        reasons,
        [
            Some("User Initiated"),
            Some(
                "Resource handler returned message: \"User: <arn> is not authorized to perform: ec2:CreateVpc on resource: <arn> because no permissions boundary allows the ec2:CreateVpc action\" (RequestToken: 5d1e, HandlerErrorCode: AccessDenied)"
            ),
        ]
    );

    let err = cfn.stack(&session, "shop").await.unwrap_err();
    let server::aws::AwsError::AccessDenied(detail) = &err else {
        panic!("{err:?}");
    };
    assert_eq!(
        detail.message(),
        "User: <arn> is not authorized to perform: cloudformation:DescribeStacks on resource: <arn> because no session policy allows the cloudformation:DescribeStacks action (account <account>)"
    );
    assert_eq!(err.request_id(), Some(REQUEST_ID));
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(
            !text.contains(ACCOUNT) && !text.contains("arn:aws"),
            "{text}"
        );
    }
}

/// A change set that is not there, as AWS answers DescribeChangeSet and DeleteChangeSet for it
/// (the Query protocol's `ChangeSetNotFound`, HTTP 404), is "not found": the deploy path reads
/// it as "nothing to delete", and `execute` as "no change set". Deleting sends the stack and
/// the change set it names.
#[tokio::test]
async fn a_change_set_that_is_not_there_is_not_found_and_one_that_is_can_be_deleted() {
    let stack = format!("arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/shop/0a1b");
    let change_set =
        format!("arn:aws:cloudformation:us-east-1:{ACCOUNT}:changeSet/stackplan-1a2b/3c4d");
    let missing = r#"<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ChangeSetNotFound</Code><Message>ChangeSet [stackplan-9f8e] does not exist</Message></Error><RequestId>r-3</RequestId></ErrorResponse>"#;
    let deleted = r#"<DeleteChangeSetResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DeleteChangeSetResult/><ResponseMetadata><RequestId>r-4</RequestId></ResponseMetadata></DeleteChangeSetResponse>"#;
    let sent = Arc::new(Mutex::new(Vec::new()));
    let seen = sent.clone();
    let cfn = adapter(move |body| {
        seen.lock().unwrap().push(body.clone());
        if body.contains("Action=DeleteChangeSet") && !body.contains("stackplan-9f8e") {
            (200, deleted.to_string())
        } else {
            (404, missing.to_string())
        }
    });
    let session = session();
    for err in [
        cfn.change_set(&session, &stack, "stackplan-9f8e")
            .await
            .unwrap_err(),
        cfn.delete_change_set(&session, &stack, "stackplan-9f8e")
            .await
            .unwrap_err(),
    ] {
        assert!(matches!(err, server::aws::AwsError::NotFound(_)), "{err:?}");
    }
    cfn.delete_change_set(&session, &stack, &change_set)
        .await
        .unwrap();
    let last = sent.lock().unwrap().last().cloned().unwrap();
    let form: Vec<(String, String)> = last
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap();
            (k.to_string(), percent_decoded(v))
        })
        .collect();
    for (key, value) in [
        ("Action", "DeleteChangeSet"),
        ("StackName", stack.as_str()),
        ("ChangeSetName", change_set.as_str()),
    ] {
        assert!(
            form.contains(&(key.to_string(), value.to_string())),
            "{form:?}"
        );
    }
}

/// A form value with its `%XX` escapes decoded (the SDK escapes an ARN's `:` and `/`).
fn percent_decoded(v: &str) -> String {
    let mut out = Vec::new();
    let mut bytes = v.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hex: String = bytes.by_ref().take(2).map(char::from).collect();
            out.push(u8::from_str_radix(&hex, 16).unwrap());
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).unwrap()
}

/// One page of DescribeChangeSet: `(action, logical id, type, replacement)` per change.
fn change_set_page(changes: &[(&str, &str, &str, Option<&str>)], next: Option<&str>) -> String {
    let members: String = changes
        .iter()
        .map(|(action, logical, ty, replacement)| {
            let replacement = replacement
                .map(|r| format!("<Replacement>{r}</Replacement>"))
                .unwrap_or_default();
            format!(
                "<member><Type>Resource</Type><ResourceChange><Action>{action}</Action><LogicalResourceId>{logical}</LogicalResourceId><ResourceType>{ty}</ResourceType>{replacement}</ResourceChange></member>"
            )
        })
        .collect();
    let next = next
        .map(|n| format!("<NextToken>{n}</NextToken>"))
        .unwrap_or_default();
    format!(
        r#"<DescribeChangeSetResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeChangeSetResult><ChangeSetName>stackplan-1a2b</ChangeSetName><ChangeSetId>arn:aws:cloudformation:us-east-1:{ACCOUNT}:changeSet/stackplan-1a2b/3c4d</ChangeSetId><StackId>arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/shop/0a1b</StackId><Status>CREATE_COMPLETE</Status><ExecutionStatus>AVAILABLE</ExecutionStatus><Changes>{members}</Changes>{next}</DescribeChangeSetResult><ResponseMetadata><RequestId>r-5</RequestId></ResponseMetadata></DescribeChangeSetResponse>"#
    )
}

/// DescribeChangeSet pages its changes with `NextToken` (moto never does): every page is read,
/// so a removal of the database on the second page reaches the review.
#[tokio::test]
async fn a_change_sets_changes_are_read_from_every_page() {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let seen = sent.clone();
    let cfn = adapter(move |body| {
        seen.lock().unwrap().push(body.clone());
        let answer = if body.contains("NextToken=page-3") {
            change_set_page(&[("Add", "Queue", "AWS::SQS::Queue", None)], None)
        } else if body.contains("NextToken=page-2") {
            change_set_page(
                &[("Remove", "Database", "AWS::RDS::DBInstance", None)],
                Some("page-3"),
            )
        } else {
            change_set_page(
                &[("Modify", "Service", "AWS::ECS::Service", Some("False"))],
                Some("page-2"),
            )
        };
        (200, answer)
    });
    let stack = format!("arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/shop/0a1b");
    let info = cfn
        .change_set(&session(), &stack, "stackplan-1a2b")
        .await
        .unwrap();
    let changes: Vec<(&str, &str)> = info
        .changes
        .iter()
        .map(|c| (c.action.as_str(), c.logical_id.as_str()))
        .collect();
    assert_eq!(
        changes,
        [
            ("Modify", "Service"),
            ("Remove", "Database"),
            ("Add", "Queue")
        ]
    );
    assert_eq!(info.status, "CREATE_COMPLETE");
    assert_eq!(sent.lock().unwrap().len(), 3, "one request a page");
}

/// Through the real STS client: a server whose credentials chain finds nothing, or that has
/// no credentials provider at all, is told so, not "connection failed"; and a closed port is a
/// refused connection. (No request leaves the machine: identity is resolved before sending, and
/// the port is a loopback one just closed.)
#[tokio::test]
async fn a_call_never_sent_says_why() {
    use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
    use server::aws::sts::{SdkSts, Sts};
    #[derive(Debug)]
    struct Nothing;
    impl ProvideCredentials for Nothing {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            future::ProvideCredentials::ready(Err(
                aws_credential_types::provider::error::CredentialsError::not_loaded(
                    "no profile in /home/me/.aws/config",
                ),
            ))
        }
    }
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{closed}");
    let sts = |credentials: Option<SharedCredentialsProvider>| {
        let mut sdk = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(&endpoint);
        if let Some(c) = credentials {
            sdk = sdk.credentials_provider(c);
        }
        SdkSts {
            client: aws_sdk_sts::Client::new(&sdk.build()),
            endpoint: endpoint.clone(),
        }
    };
    let keys = aws_credential_types::Credentials::new("AKIDEXAMPLE", "secret", None, None, "test");
    for (credentials, says) in [
        (
            Some(SharedCredentialsProvider::new(Nothing)),
            "the server found no AWS credentials",
        ),
        (None, "the server has no AWS credentials configured"),
        (
            Some(SharedCredentialsProvider::new(keys)),
            "the connection was refused",
        ),
    ] {
        let err = sts(credentials).caller().await.unwrap_err().to_string();
        assert!(err.contains(says), "{err}");
        assert!(!err.contains("/home/me"), "{err}");
    }
}
