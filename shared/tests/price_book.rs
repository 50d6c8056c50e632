//! The embedded book against its sources: every row of `aws-prices-additions.tsv` (a copy of
//! the reference file, in `shared/data/sources/`) is in the book at its price with its source,
//! or is left out for a stated reason.

use shared::cost::PriceBook;

const ADDITIONS: &str = include_str!("../data/sources/aws-prices-additions.tsv");

/// Rows deliberately not added, by line number, with the reason.
const LEFT_OUT: &[(usize, &str)] = &[
    (
        2,
        "us-east-1 x86 tier 2 is already in the book from aws-prices.tsv",
    ),
    (3, "us-east-1 x86 tier 3 is already in the book"),
    (4, "us-east-1 Arm tier 2 is already in the book"),
    (
        6,
        "Arm requests cost the same as lambda.requests_million, which prices both",
    ),
    (8, "us-east-1 REST tier 2 is already in the book"),
    (9, "us-east-1 REST tier 3 is already in the book"),
    (10, "us-east-1 REST tier 4 is already in the book"),
    (11, "us-east-1 HTTP tier 2 is already in the book"),
    (
        18,
        "conflicts with the book's 0.064 and is unresolved by its own source",
    ),
    (55, "Arm requests cost the same as lambda.requests_million"),
    (84, "Arm requests cost the same as lambda.requests_million"),
    (92, "Arm requests cost the same as lambda.requests_million"),
    (108, "a third-party claim its own source marks unverified"),
];

#[test]
fn every_addition_is_in_the_book_or_left_out_for_a_reason() {
    let book = PriceBook::embedded();
    for (i, row) in ADDITIONS.lines().enumerate().skip(1) {
        let n = i + 1;
        let cols: Vec<&str> = row.split('\t').collect();
        let [_, _, region, _, usd, _] = cols[..] else {
            panic!("row {n} has {} columns", cols.len())
        };
        let usd: f64 = usd.parse().unwrap();
        let cited = format!("aws-prices-additions.tsv row {n}: ");
        let in_book: Vec<_> = book
            .iter()
            .filter(|(_, _, p)| p.source.starts_with(&cited))
            .collect();
        match LEFT_OUT.iter().find(|(r, _)| *r == n) {
            Some((_, reason)) => assert!(
                in_book.is_empty(),
                "row {n} is left out ({reason}) yet cited"
            ),
            None => {
                let [(key, r, price)] = in_book[..] else {
                    panic!("row {n} ({row}) is cited by {} book rows", in_book.len())
                };
                assert_eq!((r, price.usd), (region, usd), "row {n} as {key}");
                let derived = row.to_lowercase().contains("derived");
                assert_eq!(price.derived, derived, "row {n} as {key}: derived flag");
            }
        }
    }
}

#[test]
fn rows_already_in_the_book_agree_with_the_additions() {
    let book = PriceBook::embedded();
    for (n, key) in [
        (2, "lambda.gb_second.x86.tier2"),
        (3, "lambda.gb_second.x86.tier3"),
        (4, "lambda.gb_second.arm.tier2"),
        (8, "apigw.rest_million.tier2"),
        (9, "apigw.rest_million.tier3"),
        (10, "apigw.rest_million.tier4"),
        (11, "apigw.http_million.tier2"),
    ] {
        let row = ADDITIONS.lines().nth(n - 1).unwrap();
        let usd: f64 = row.split('\t').nth(4).unwrap().parse().unwrap();
        assert_eq!(
            book.get(key, "us-east-1").map(|p| p.usd),
            Some(usd),
            "row {n}"
        );
    }
}

#[test]
fn regional_tiers_are_per_region() {
    // eu-west-1's REST tiers differ from us-east-1's.
    let book = PriceBook::embedded();
    let tier2 = |r| book.get("apigw.rest_million.tier2", r).map(|p| p.usd);
    assert_eq!(tier2("us-east-1"), Some(2.80));
    assert_eq!(tier2("eu-west-1"), Some(3.19));
    assert_eq!(tier2("ap-northeast-1"), None);
}
