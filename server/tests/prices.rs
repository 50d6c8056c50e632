//! Live price books through the real `aws-sdk-pricing` client, fed answers of the documented
//! shape by the SDK's own test HTTP client (`infallible_client_fn`). moto has no Price List API;
//! `tests/fixtures/pricing/README.md` says where each answer's shape comes from.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_smithy_types::body::SdkBody;
use serde_json::{Value, json};
use server::aws::pricing::SdkPriceList;
use server::prices::catalog;
use server::prices::{PriceService, Pricing, PricingError};
use shared::api::BookSource;
use shared::cost::PriceBook;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pricing");

fn fixture(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap()).unwrap()
}

/// The changed price: eu-west-1 DynamoDB writes, so the diff has something to find.
const CHANGED: (&str, &str, f64) = ("dynamodb.wru_million", "eu-west-1", 0.6345);

/// The Price List's answers for `regions`: `fixtures/pricing/price-list.json`, written by hand
/// from how AWS names each usage type (not from `catalog.rs`, so a wrong usage type in the
/// catalog fails these tests), with the hand-written special cases in place of the items they
/// cover, and one price changed on purpose so that the diff has something to find.
fn price_list(regions: &[&str]) -> Vec<Value> {
    let mut items: Vec<Value> = fixture("price-list.json")
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| {
            regions
                .iter()
                .any(|r| v["product"]["attributes"]["regionCode"] == *r)
        })
        .cloned()
        .collect();
    edit_usage(&mut items, CHANGED.1, "EU-WriteRequestUnits", |_| {
        CHANGED.2 / 1e6
    });
    if regions.contains(&"us-east-1") {
        let replaced = |v: &Value| {
            let a = &v["product"]["attributes"];
            (a["regionCode"] == "us-east-1")
                && ((a["usagetype"] == "NodeUsage:cache.m6g.large" && a["cacheEngine"] == "Redis")
                    || a["usagetype"] == "Lambda-GB-Second"
                    || (a["usagetype"] == "TimedStorage-ByteHrs"
                        && v["serviceCode"] == "AmazonDynamoDB"))
        };
        items.retain(|v| !replaced(v));
        for file in ["several-skus.json", "tiered.json", "zero-first-tier.json"] {
            items.extend(fixture(file).as_array().unwrap().iter().cloned());
        }
    }
    items
}

/// What the fake API saw.
#[derive(Default)]
struct Seen {
    requests: AtomicUsize,
    paged: AtomicUsize,
    services: Mutex<Vec<String>>,
}

/// The SDK's test client answering GetProducts from `items`, one item per page.
fn client(
    items: Vec<Value>,
    seen: Arc<Seen>,
    errors: Vec<(u16, Value)>,
) -> aws_sdk_pricing::Client {
    let errors = Mutex::new(errors);
    let http = aws_smithy_http_client::test_util::infallible_client_fn(
        move |req: http::Request<SdkBody>| {
            seen.requests.fetch_add(1, Ordering::Relaxed);
            assert_eq!(
                req.headers().get("x-amz-target").unwrap(),
                "AWSPriceListService.GetProducts"
            );
            let body: Value = serde_json::from_slice(req.body().bytes().unwrap()).unwrap();
            assert_eq!(body["FormatVersion"], "aws_v1");
            let mut pending = errors.lock().unwrap();
            if !pending.is_empty() {
                let (status, error) = pending.remove(0);
                return http::Response::builder()
                    .status(status)
                    .header("content-type", "application/x-amz-json-1.1")
                    .body(SdkBody::from(error.to_string()))
                    .unwrap();
            }
            let service = body["ServiceCode"].as_str().unwrap();
            seen.services.lock().unwrap().push(service.to_string());
            let filters: Vec<(String, String)> = body["Filters"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    assert_eq!(f["Type"], "TERM_MATCH");
                    (
                        f["Field"].as_str().unwrap().to_string(),
                        f["Value"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            let matching: Vec<&Value> = items
                .iter()
                .filter(|i| {
                    i["serviceCode"] == service
                        && filters
                            .iter()
                            .all(|(f, v)| i["product"]["attributes"][f] == json!(v))
                })
                .collect();
            let at: usize = body["NextToken"].as_str().map_or(0, |t| t.parse().unwrap());
            if at > 0 {
                seen.paged.fetch_add(1, Ordering::Relaxed);
            }
            let page: Vec<String> = matching
                .iter()
                .skip(at)
                .take(1)
                .map(|v| v.to_string())
                .collect();
            let mut answer = json!({"FormatVersion": "aws_v1", "PriceList": page});
            if at + 1 < matching.len() {
                answer["NextToken"] = json!((at + 1).to_string());
            }
            http::Response::builder()
                .status(200)
                .header("content-type", "application/x-amz-json-1.1")
                .body(SdkBody::from(answer.to_string()))
                .unwrap()
        },
    );
    let config = aws_sdk_pricing::Config::builder()
        .behavior_version(aws_sdk_pricing::config::BehaviorVersion::latest())
        .region(aws_sdk_pricing::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_pricing::config::Credentials::new(
            "AKIDTEST", "secret", None, None, "test",
        ))
        // The SDK's own retries, as the server configures them, with short waits.
        .retry_config(
            aws_sdk_pricing::config::retry::RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(2)),
        )
        .http_client(http)
        .build();
    aws_sdk_pricing::Client::from_conf(config)
}

fn pricing(regions: &[&str], seen: Arc<Seen>, errors: Vec<(u16, Value)>) -> Pricing {
    Pricing::new(Arc::new(SdkPriceList::from_client(client(
        price_list(regions),
        seen,
        errors,
    ))))
}

#[tokio::test]
async fn a_refresh_builds_complete_books_that_match_the_embedded_one() {
    for region in ["us-east-1", "eu-west-1"] {
        let seen = Arc::new(Seen::default());
        let live = pricing(&[region], seen.clone(), vec![])
            .refresh(region)
            .await
            .unwrap();
        let embedded = PriceBook::embedded();
        let mut priced = 0;
        for spec in catalog::specs(region) {
            match (
                embedded.get(&spec.key, region),
                live.book.get(&spec.key, region),
            ) {
                (Some(e), Some(l)) if (spec.key.as_str(), region) == (CHANGED.0, CHANGED.1) => {
                    assert!((l.usd - CHANGED.2).abs() < 1e-9, "{} {}", e.usd, l.usd)
                }
                (Some(e), Some(l)) => {
                    priced += 1;
                    assert!(
                        (e.usd - l.usd).abs() <= e.usd * 1e-6,
                        "{} in {region}: embedded {} live {}",
                        spec.key,
                        e.usd,
                        l.usd
                    );
                    assert!(
                        l.source.contains("AWS Price List API")
                            && l.source.contains("published 2026-11-20"),
                        "{}",
                        l.source
                    );
                }
                (None, None) => assert!(
                    live.unknown().iter().any(|w| w.key == spec.key),
                    "{} is missing and not reported unknown",
                    spec.key
                ),
                (e, l) => panic!("{} in {region}: embedded {e:?}, live {l:?}", spec.key),
            }
        }
        assert!(priced >= 25, "{priced} prices in {region}");
        println!(
            "{region}: {priced} prices equal to the embedded book, {} unknown, {} rules carried",
            live.unknown().len(),
            live.carried.len()
        );
        assert_eq!(live.book.date, "2026-11-20");
        assert_eq!(live.book.origin, shared::cost::Origin::Live);
        // The free tiers and Spot's discount are rules, carried and labelled.
        assert!(live.carried.contains(&"lambda.free_requests".to_string()));
        assert!(
            live.book
                .get("dto.free_gb", region)
                .unwrap()
                .source
                .contains("billing rule")
        );
        // An estimate on the live book works like one on the embedded book.
        let plan = shared::ValidPlan::new(shared::examples::fargate()).unwrap();
        let estimate = shared::cost::estimate(&plan, &live.book, shared::cost::Options::default());
        assert_eq!(estimate.price_book.origin, shared::cost::Origin::Live);
        if region == "us-east-1" {
            // Unknown only where the embedded book is unknown too (traffic between AZs).
            let embedded = shared::cost::estimate(
                &plan,
                PriceBook::embedded(),
                shared::cost::Options::default(),
            );
            assert_eq!(estimate.unknown, embedded.unknown, "{:?}", live.unknown());
            assert!(
                seen.paged.load(Ordering::Relaxed) > 0,
                "pagination was followed"
            );
        }
    }
}

#[tokio::test]
async fn tiers_zero_tiers_and_extended_support_are_read_right() {
    let live = pricing(&["us-east-1"], Arc::default(), vec![])
        .refresh("us-east-1")
        .await
        .unwrap();
    let usd = |k: &str| live.book.get(k, "us-east-1").unwrap().usd;
    assert_eq!(usd("lambda.gb_second.x86"), 0.0000166667);
    assert_eq!(usd("lambda.gb_second.x86.tier2"), 0.000015);
    assert_eq!(usd("lambda.gb_second.x86.tier3"), 0.0000133334);
    assert_eq!(
        usd("dynamodb.storage_gb_month"),
        0.25,
        "the $0 first 25 GB are skipped"
    );
    assert_eq!(
        usd("elasticache.node_hour.cache.m6g.large.redis"),
        0.149,
        "not an Extended Support surcharge"
    );
    assert!(
        live.book
            .get("elasticache.node_hour.cache.m6g.large.redis", "us-east-1")
            .unwrap()
            .source
            .contains("7ZDXJ4CNDRA2G2KB")
    );
}

#[tokio::test]
async fn throttling_is_retried_and_errors_are_reported() {
    let throttle = (400, fixture("throttling.json"));
    let seen = Arc::new(Seen::default());
    let live = pricing(
        &["us-east-1"],
        seen.clone(),
        vec![throttle.clone(), throttle.clone()],
    )
    .refresh("us-east-1")
    .await;
    assert!(live.is_ok(), "two throttled answers are retried: {live:?}");
    let err = pricing(&["us-east-1"], Arc::default(), vec![throttle.clone(); 3])
        .refresh("us-east-1")
        .await
        .unwrap_err();
    assert!(matches!(err, PricingError::Throttled(_)), "{err:?}");
    let err = pricing(
        &["us-east-1"],
        Arc::default(),
        vec![(400, fixture("access-denied.json"))],
    )
    .refresh("us-east-1")
    .await
    .unwrap_err();
    assert!(
        matches!(&err, PricingError::Api(m) if m.contains("AccessDeniedException") && m.contains("pricing:GetProducts")),
        "{err}"
    );
}

#[tokio::test]
async fn an_empty_answer_is_unknown_never_a_guess() {
    let live = pricing(&[], Arc::default(), vec![])
        .refresh("eu-west-1")
        .await
        .unwrap();
    assert_eq!(live.unknown().len(), catalog::specs("eu-west-1").len());
    assert!(
        live.unknown().iter().all(|w| w.reason.contains("has no")),
        "{:?}",
        live.unknown()
    );
    let plan = shared::ValidPlan::new(shared::examples::lambda()).unwrap();
    let estimate = shared::cost::estimate(&plan, &live.book, shared::cost::Options::default());
    assert!(estimate.lower_bound && estimate.monthly_usd == 0.0);
}

#[tokio::test]
async fn the_service_caches_on_disk_and_falls_back_to_the_embedded_book() {
    let dir = tempfile::tempdir().unwrap();
    let seen = Arc::new(Seen::default());
    let service = Arc::new(PriceService::with_client(
        Ok(Arc::new(pricing(&["us-east-1"], seen.clone(), vec![]))),
        Some(dir.path().to_path_buf()),
        Duration::from_secs(3600),
    ));
    let first = service.book("us-east-1").await;
    assert_eq!(
        (first.source, first.date.as_str()),
        (BookSource::Live, "2026-11-20")
    );
    // A live book is sent with the region's prices and the global rules only.
    let sent = shared::cost::PriceBook::parse_tsv(
        first.book_tsv.as_deref().expect("a live book is sent"),
        shared::cost::Origin::Live,
    )
    .unwrap();
    let regions: std::collections::BTreeSet<&str> = sent.iter().map(|(_, r, _)| r).collect();
    assert_eq!(
        regions,
        ["global", "us-east-1"].into_iter().collect(),
        "only the region's prices"
    );
    let calls = seen.requests.load(Ordering::Relaxed);
    let again = service.book("us-east-1").await;
    assert_eq!(again.source, BookSource::Live);
    assert_eq!(
        seen.requests.load(Ordering::Relaxed),
        calls,
        "served from memory"
    );
    assert!(dir.path().join("prices-us-east-1.json").is_file());
    // A new server with the same data directory and no working client reads the disk cache.
    let offline = Arc::new(PriceService::with_client(
        Err(PricingError::NoCredentials),
        Some(dir.path().to_path_buf()),
        Duration::from_secs(3600),
    ));
    assert_eq!(offline.book("us-east-1").await.source, BookSource::Live);
    // Without credentials and without a cache: the embedded book, saying why.
    let answer = offline.book("eu-west-1").await;
    assert_eq!(answer.source, BookSource::Embedded);
    assert_eq!(answer.book_tsv, None, "the page holds the embedded book");
    assert!(answer.note.unwrap().contains("no AWS credentials"));
    // An expired cache is fetched again.
    let stale = Arc::new(PriceService::with_client(
        Ok(Arc::new(pricing(&["us-east-1"], seen.clone(), vec![]))),
        Some(dir.path().to_path_buf()),
        Duration::ZERO,
    ));
    let before = seen.requests.load(Ordering::Relaxed);
    stale.book("us-east-1").await;
    assert!(seen.requests.load(Ordering::Relaxed) > before);
}

/// Sets each on-demand price of `usage_type` in `region` to `edit(price)`, as if AWS's
/// answer had changed.
fn edit_usage(items: &mut [Value], region: &str, usage_type: &str, edit: impl Fn(f64) -> f64) {
    let ours = |v: &Value| {
        let a = &v["product"]["attributes"];
        a["regionCode"] == region && a["usagetype"] == usage_type
    };
    for v in items.iter_mut().filter(|v| ours(v)) {
        for term in v["terms"]["OnDemand"].as_object_mut().unwrap().values_mut() {
            for dim in term["priceDimensions"]
                .as_object_mut()
                .unwrap()
                .values_mut()
            {
                let usd: f64 = dim["pricePerUnit"]["USD"]
                    .as_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                dim["pricePerUnit"]["USD"] = json!(format!("{:.12}", edit(usd)));
            }
        }
    }
}

#[tokio::test]
async fn a_price_in_another_unit_is_unknown_with_the_reason() {
    // Fargate's vCPU-hour a thousand times too high (as if per 1,000 vCPU-hours), the NAT
    // gateway's hour answered per second: the live book holds neither number.
    let mut items = price_list(&["us-east-1"]);
    edit_usage(
        &mut items,
        "us-east-1",
        "USE1-Fargate-vCPU-Hours:perCPU",
        |usd| usd * 1000.0,
    );
    edit_usage(&mut items, "us-east-1", "NatGateway-Hours", |usd| {
        usd / 3600.0
    });
    let pricing = || {
        Pricing::new(Arc::new(SdkPriceList::from_client(client(
            items.clone(),
            Arc::default(),
            vec![],
        ))))
    };
    let live = pricing().refresh("us-east-1").await.unwrap();
    let reason = |key: &str| {
        live.book
            .withheld(key, "us-east-1")
            .unwrap_or_else(|| panic!("{key} is not unknown: {:?}", live.unknown()))
    };
    assert_eq!(
        reason("fargate.vcpu_hour.x86"),
        "AWS's price comes to 40.48 USD per vCPU-hour, 1000 times the embedded book's 0.04048 \
         USD per vCPU-hour (us-east-1), too far for a list price to move: AWS's unit or tier has \
         likely changed"
    );
    assert!(
        reason("nat.hour").contains("3600 times less than the embedded book's 0.045 USD per hour"),
        "{}",
        reason("nat.hour")
    );
    assert!(
        live.book
            .get("fargate.vcpu_hour.x86", "us-east-1")
            .is_none()
    );
    assert!(live.book.get("nat.hour", "us-east-1").is_none());
    // The rest is priced as before, and the estimate says which lines it could not price.
    assert!(live.book.get("fargate.gb_hour.x86", "us-east-1").is_some());
    let plan = shared::ValidPlan::new(shared::examples::fargate()).unwrap();
    let estimate = shared::cost::estimate(&plan, &live.book, shared::cost::Options::default());
    assert!(estimate.lower_bound);
    let unpriced: Vec<&str> = estimate
        .lines
        .iter()
        .filter(|l| l.monthly_usd.is_none())
        .map(|l| l.item.as_str())
        .collect();
    assert_eq!(
        unpriced,
        [
            "x86 vCPU (on-demand)",
            "NAT hours",
            "Between AZs (tasks to database and cache)"
        ],
        "the two refused prices and what the embedded book does not know either"
    );
    // The page is told which prices, and why.
    let service = Arc::new(PriceService::with_client(
        Ok(Arc::new(pricing())),
        None,
        Duration::from_secs(60),
    ));
    let answer = service.book("us-east-1").await;
    assert_eq!(answer.source, BookSource::Live);
    assert_eq!(
        answer.note.as_deref(),
        Some(
            format!(
                "{} price(s) are unknown: missing from the Price List's answer, ambiguous in it, \
                 or too far from the embedded book's to trust",
                live.unknown().len()
            )
            .as_str()
        )
    );
    let told = answer.unknown.iter().find(|u| u.key == "nat.hour").unwrap();
    assert!(
        told.reason.contains("3600 times less than"),
        "{}",
        told.reason
    );
    // The book the page is sent carries each reason, and an estimate on it says why.
    let sent = PriceBook::parse_tsv(
        answer.book_tsv.as_deref().unwrap(),
        shared::cost::Origin::Live,
    )
    .unwrap();
    assert_eq!(
        sent.withheld("nat.hour", "us-east-1"),
        Some(told.reason.as_str())
    );
    let estimate = shared::cost::estimate(&plan, &sent, shared::cost::Options::default());
    let nat = format!(
        "NAT gateway NAT hours: the price book has no price per hour in us-east-1 (book key \
         nat.hour): {}",
        told.reason
    );
    assert!(estimate.unknown.contains(&nat), "{:?}", estimate.unknown);
}

#[tokio::test]
async fn the_diff_reports_what_changed() {
    let live = pricing(&["eu-west-1"], Arc::default(), vec![])
        .refresh("eu-west-1")
        .await
        .unwrap();
    let diff = server::prices::source::diff(&live);
    assert_eq!(diff.len(), 1, "{diff:?}");
    assert_eq!(diff[0].key, CHANGED.0);
    let text = server::cli::render_diff(&live);
    assert!(
        text.contains("dynamodb.wru_million") && text.contains("-10.0%"),
        "{text}"
    );
}

/// A Price List port that fails every call (an expired token, AWS down), or never answers;
/// counts the calls. (A scripted double of the port: the SDK client above cannot hang.)
#[derive(Default)]
struct BrokenPriceList {
    calls: AtomicUsize,
    hang: bool,
}

impl server::aws::pricing::PriceList for BrokenPriceList {
    fn products(
        &self,
        _: &str,
        _: &[(&str, String)],
    ) -> futures_util::future::BoxFuture<'_, Result<Vec<String>, server::aws::AwsError>> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        Box::pin(async move {
            if self.hang {
                std::future::pending::<()>().await;
            }
            Err(server::aws::AwsError::Other(
                "InternalFailure: aws-own-words (HTTP 500)".into(),
            ))
        })
    }
}

const REGIONS: [&str; 6] = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-1",
    "ap-northeast-1",
];

/// 200 concurrent unauthenticated requests over the six regions, twice, against a Price List
/// that always fails: one refresh per region, then none until the back-off window passes; the
/// answers are the embedded book, saying why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_price_list_is_asked_once_per_region_per_back_off_window() {
    let list = Arc::new(BrokenPriceList::default());
    let service = Arc::new(PriceService::with_client(
        Ok(Arc::new(Pricing::new(list.clone()))),
        None,
        Duration::from_secs(3600),
    ));
    for round in 0..2 {
        let started = std::time::Instant::now();
        let answers = futures_util::future::join_all((0..200).map(|i| {
            let service = service.clone();
            async move { service.book(REGIONS[i % 6]).await }
        }))
        .await;
        for a in &answers {
            assert_eq!(a.source, BookSource::Embedded);
            // The page hears that the Price List failed, in Stackplan's words: AWS's own
            // (which can name the server's principal and its policies) stay in the log.
            let note = a.note.as_deref().unwrap();
            assert!(
                note.contains("the Price List API failed") && !note.contains("aws-own-words"),
                "{note}"
            );
        }
        println!(
            "round {round}: 200 price requests over 6 regions in {:?}, {} Price List calls so far",
            started.elapsed(),
            list.calls.load(Ordering::Relaxed)
        );
        assert_eq!(
            list.calls.load(Ordering::Relaxed),
            6,
            "one call per region (the first spec fails the refresh), and none in round 2"
        );
    }
}

/// A Price List that never answers: each request gets the embedded book after the request
/// wait, one refresh per region runs, and a region that is already cached answers at once
/// meanwhile.
#[tokio::test(start_paused = true)]
async fn a_hanging_price_list_delays_nobody_beyond_the_wait() {
    let list = Arc::new(BrokenPriceList {
        hang: true,
        ..BrokenPriceList::default()
    });
    let dir = tempfile::tempdir().unwrap();
    // A cached book for us-east-1 (as a previous fetch would have left on disk).
    let seen = Arc::new(Seen::default());
    let warm = Arc::new(PriceService::with_client(
        Ok(Arc::new(pricing(&["us-east-1"], seen, vec![]))),
        Some(dir.path().to_path_buf()),
        Duration::from_secs(3600),
    ));
    assert_eq!(warm.book("us-east-1").await.source, BookSource::Live);
    let service = Arc::new(PriceService::with_client(
        Ok(Arc::new(Pricing::new(list.clone()))),
        Some(dir.path().to_path_buf()),
        Duration::from_secs(3600),
    ));
    assert_eq!(service.book("us-east-1").await.source, BookSource::Live);
    let start = tokio::time::Instant::now();
    let (a, b, cached) = tokio::join!(
        service.book("eu-west-1"),
        service.book("eu-west-1"),
        async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let t = tokio::time::Instant::now();
            let answer = service.book("us-east-1").await;
            (answer, t.elapsed())
        }
    );
    assert_eq!(start.elapsed(), server::prices::REQUEST_WAIT);
    for answer in [&a, &b] {
        assert_eq!(answer.source, BookSource::Embedded);
        assert!(
            answer
                .note
                .as_deref()
                .unwrap()
                .contains("still being fetched"),
            "{:?}",
            answer.note
        );
    }
    assert_eq!(
        list.calls.load(Ordering::Relaxed),
        1,
        "one refresh for eu-west-1"
    );
    assert_eq!(
        (cached.0.source, cached.1),
        (BookSource::Live, Duration::ZERO)
    );
}
