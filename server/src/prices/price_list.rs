//! Reading the Price List API's answers: each `PriceList` element is a JSON *string* holding
//! one product with its terms (shape in `aws-prices-notes.md` §3). Pure: no I/O.

use serde_json::Value;

use super::catalog::{Spec, Tier};

/// One on-demand price dimension.
#[derive(Clone, Debug, PartialEq)]
pub struct Dimension {
    pub begin: f64,
    pub end: f64,
    pub usd: f64,
    pub unit: String,
    pub description: String,
}

/// One product of a GetProducts answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Product {
    pub sku: String,
    pub usage_type: String,
    pub publication_date: String,
    /// On-demand dimensions, lowest range first.
    pub dimensions: Vec<Dimension>,
}

/// Parses one `PriceList` element.
pub fn parse_product(text: &str) -> Result<Product, String> {
    let v: Value =
        serde_json::from_str(text).map_err(|e| format!("a PriceList item is not JSON: {e}"))?;
    let product = &v["product"];
    let sku = product["sku"]
        .as_str()
        .ok_or("a PriceList item has no product.sku")?
        .to_string();
    let usage_type = product["attributes"]["usagetype"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut dimensions = Vec::new();
    for term in v["terms"]["OnDemand"]
        .as_object()
        .into_iter()
        .flat_map(|o| o.values())
    {
        for d in term["priceDimensions"]
            .as_object()
            .into_iter()
            .flat_map(|o| o.values())
        {
            let number = |s: &Value| -> Result<f64, String> {
                match s.as_str() {
                    Some("Inf") => Ok(f64::INFINITY),
                    Some(s) => s
                        .parse()
                        .map_err(|_| format!("{sku}: {s:?} is not a number")),
                    None => Ok(0.0),
                }
            };
            let usd = d["pricePerUnit"]["USD"]
                .as_str()
                .ok_or_else(|| format!("{sku}: a dimension has no USD price"))?;
            dimensions.push(Dimension {
                begin: number(&d["beginRange"])?,
                end: number(&d["endRange"])?,
                usd: usd
                    .parse()
                    .map_err(|_| format!("{sku}: {usd:?} is not a price"))?,
                unit: d["unit"].as_str().unwrap_or_default().to_string(),
                description: d["description"].as_str().unwrap_or_default().to_string(),
            });
        }
    }
    dimensions.sort_by(|a, b| a.begin.total_cmp(&b.begin));
    Ok(Product {
        sku,
        usage_type,
        publication_date: v["publicationDate"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        dimensions,
    })
}

/// A price read for one spec, or why there is none.
#[derive(Clone, Debug, PartialEq)]
pub enum Found {
    Price {
        usd: f64,
        dimension: String,
        sku: String,
        publication_date: String,
    },
    Unknown(String),
}

/// Chooses the price of `spec` among the products its usage type returned. Extended Support
/// rows are surcharges, never the price; several SKUs that disagree are ambiguous; a missing
/// tier is unknown. Nothing is guessed.
pub fn choose(spec: &Spec, usage_type: &str, products: &[Product]) -> Found {
    let candidates: Vec<&Product> = products
        .iter()
        .filter(|p| !p.usage_type.contains("ExtendedSupport"))
        .filter(|p| p.usage_type == usage_type)
        .collect();
    let Tier::Paid(n) = spec.tier;
    let priced: Vec<(&Product, &Dimension)> = candidates
        .iter()
        .filter_map(|p| {
            p.dimensions
                .iter()
                .filter(|d| d.usd > 0.0)
                .nth(n - 1)
                .map(|d| (*p, d))
        })
        .collect();
    match priced.as_slice() {
        [] if candidates.is_empty() => {
            Found::Unknown(format!("the Price List has no {usage_type} product"))
        }
        [] => Found::Unknown(format!("{usage_type} has no paid tier {n}")),
        [(p, d), rest @ ..] if rest.iter().all(|(_, o)| o.usd == d.usd) => Found::Price {
            usd: d.usd * spec.scale,
            dimension: format!("{usage_type}: {}", d.description),
            sku: p.sku.clone(),
            publication_date: p.publication_date.clone(),
        },
        several => Found::Unknown(format!(
            "{usage_type} is ambiguous: {} SKUs with different prices ({})",
            several.len(),
            several
                .iter()
                .map(|(p, d)| format!("{} at {}", p.sku, d.usd))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(tier: usize, scale: f64) -> Spec {
        Spec {
            key: "k".into(),
            service: "S",
            usage_types: vec![],
            filters: vec![],
            tier: Tier::Paid(tier),
            scale,
            unit: "u",
            by_attributes: false,
        }
    }

    fn item(sku: &str, usage: &str, dims: &[(&str, &str, &str)]) -> Product {
        let dims: serde_json::Map<String, Value> = dims
            .iter()
            .enumerate()
            .map(|(i, (b, e, usd))| {
                (format!("{sku}.JRTCKXETXF.{i}"), serde_json::json!({"beginRange": b, "endRange": e, "unit": "Hrs", "description": "d", "pricePerUnit": {"USD": usd}}))
            })
            .collect();
        let v = serde_json::json!({
            "product": {"sku": sku, "attributes": {"usagetype": usage}},
            "terms": {"OnDemand": {format!("{sku}.JRTCKXETXF"): {"priceDimensions": dims}}},
            "publicationDate": "2026-11-20T10:00:00Z"
        });
        parse_product(&v.to_string()).unwrap()
    }

    #[test]
    fn tiers_are_read_in_range_order_and_a_zero_first_tier_is_skipped() {
        let p = item(
            "A",
            "DataTransfer-Out-Bytes",
            &[
                ("10240", "51200", "0.0850000000"),
                ("0", "100", "0.0000000000"),
                ("100", "10240", "0.0900000000"),
            ],
        );
        assert_eq!(
            choose(
                &spec(1, 1.0),
                "DataTransfer-Out-Bytes",
                std::slice::from_ref(&p)
            ),
            Found::Price {
                usd: 0.09,
                dimension: "DataTransfer-Out-Bytes: d".into(),
                sku: "A".into(),
                publication_date: "2026-11-20T10:00:00Z".into()
            }
        );
        assert!(
            matches!(choose(&spec(2, 1.0), "DataTransfer-Out-Bytes", std::slice::from_ref(&p)), Found::Price { usd, .. } if usd == 0.085)
        );
        assert!(
            matches!(choose(&spec(3, 1.0), "DataTransfer-Out-Bytes", &[p]), Found::Unknown(r) if r.contains("no paid tier 3"))
        );
    }

    #[test]
    fn extended_support_is_never_the_price_and_disagreeing_skus_are_ambiguous() {
        let node = item("N", "NodeUsage:cache.m6g.large", &[("0", "Inf", "0.149")]);
        let ext = item(
            "X",
            "ExtendedSupportYr1_Yr2-NodeUsage:cache.m6g.large",
            &[("0", "Inf", "0.119")],
        );
        assert!(
            matches!(choose(&spec(1, 1.0), "NodeUsage:cache.m6g.large", &[ext.clone(), node.clone()]), Found::Price { usd, .. } if usd == 0.149)
        );
        let other = item("O", "NodeUsage:cache.m6g.large", &[("0", "Inf", "0.2")]);
        assert!(
            matches!(choose(&spec(1, 1.0), "NodeUsage:cache.m6g.large", &[node.clone(), other]), Found::Unknown(r) if r.contains("ambiguous: 2 SKUs"))
        );
        let same = item("S", "NodeUsage:cache.m6g.large", &[("0", "Inf", "0.149")]);
        assert!(matches!(
            choose(&spec(1, 1.0), "NodeUsage:cache.m6g.large", &[node, same]),
            Found::Price { .. }
        ));
        assert!(
            matches!(choose(&spec(1, 1.0), "NodeUsage:cache.m6g.large", &[ext]), Found::Unknown(r) if r.contains("no NodeUsage"))
        );
    }

    #[test]
    fn scale_converts_to_the_books_unit() {
        let p = item("R", "Request", &[("0", "Inf", "0.0000002000")]);
        assert!(
            matches!(choose(&spec(1, 1e6), "Request", &[p]), Found::Price { usd, .. } if (usd - 0.2).abs() < 1e-12)
        );
        assert!(parse_product("{").is_err());
        assert!(parse_product(r#"{"product":{}}"#).is_err());
    }
}
