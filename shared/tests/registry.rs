//! The resource registry and the generator agree: every type a matrix template emits has its
//! entry, and every entry is a type some matrix template emits (no stale rows).

use std::collections::BTreeSet;

use shared::resources::{REGISTRY, lookup};
use shared::{ValidPlan, examples, template};

#[test]
fn the_registry_lists_exactly_the_generated_types() {
    let mut generated = BTreeSet::new();
    let mut plans = examples::matrix();
    plans.push(("example-fargate".into(), examples::fargate()));
    plans.push(("example-lambda".into(), examples::lambda()));
    for (name, plan) in plans {
        let t = template::generate(&ValidPlan::new(plan).expect("matrix plans are valid"));
        for (id, ty) in t.resource_types() {
            assert!(
                lookup(ty).is_some(),
                "{name}: {id} is a {ty}, which the registry lacks"
            );
            generated.insert(ty.to_string());
        }
    }
    let listed: BTreeSet<String> = REGISTRY.iter().map(|r| r.name.to_string()).collect();
    let stale: Vec<&String> = listed.difference(&generated).collect();
    assert!(
        stale.is_empty(),
        "registry rows no plan generates: {stale:?}"
    );
    assert_eq!(generated.len(), REGISTRY.len());
}
