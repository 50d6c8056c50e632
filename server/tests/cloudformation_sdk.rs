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
    let http = aws_smithy_http_client::test_util::infallible_client_fn(
        move |req: http::Request<SdkBody>| {
            let body = String::from_utf8(req.body().bytes().unwrap().to_vec()).unwrap();
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
            http::Response::builder()
                .status(200)
                .header("content-type", "text/xml")
                .body(SdkBody::from(pages[at].clone()))
                .unwrap()
        },
    );
    let sdk = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .http_client(http)
        .build();
    let cfn = SdkCloudFormation::new(
        &sdk,
        "https://cloudformation.us-east-1.amazonaws.com".into(),
    );
    let session = Session {
        region: "us-east-1".into(),
        credentials: TempCredentials {
            access_key_id: "ASIATEST".into(),
            secret_access_key: "secret".into(),
            session_token: "token".into(),
            expires: SystemTime::now() + Duration::from_secs(900),
        },
        watched: true,
    };
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
