//! The Lambda settings: the function, its API, its tables and its bucket.

use leptos::prelude::*;
use shared::plan::{ApiType, Key, KeyType, Runtime, Table};

use super::api_access::ApiAccess;
use super::fargate_panel::{arch_options, parse_arch, retention_options};
use super::fields::{
    field_problems, number_field, opts, select_field, slider, switch_section, text_field, toggle,
};
use crate::state::use_planner;

#[component]
pub fn LambdaPanel() -> impl IntoView {
    let p = use_planner();
    let kept_concurrency = p.kept.concurrency;
    view! {
        <fieldset class="panel">
            <legend>"Function"</legend>
            {slider("lambda.memory_mb", "Memory", " MB", 128u32, 10_240, 64,
                move || p.read_lambda(|l| l.memory_mb), move |v| p.lambda(|l| l.memory_mb = v))}
            <div class="grid two">
                {select_field("lambda.architecture", "CPU architecture", arch_options(),
                    move || p.read_lambda(|l| l.architecture.as_str().to_string()),
                    move |v| p.lambda(|l| l.architecture = parse_arch(&v)))}
                {number_field("lambda.timeout_s", "Timeout (s)", "", move || p.read_lambda(|l| l.timeout_s), move |v| p.lambda(|l| l.timeout_s = v))}
                // An image brings its own runtime and handler.
                <Show when=move || p.read_lambda(|l| l.image.is_none())>
                    {select_field("lambda.runtime", "Runtime", opts(Runtime::ALL.iter().map(|r| (r.as_str(), r.as_str()))),
                        move || p.read_lambda(|l| l.runtime.as_str().to_string()),
                        move |v| if let Some(r) = Runtime::parse(&v) { p.lambda(|l| l.runtime = r) })}
                    {text_field("lambda.handler", "Handler", "app.handler", move || p.read_lambda(|l| l.handler.clone()), move |v| p.lambda(|l| l.handler = v))}
                </Show>
                {select_field("lambda.api", "API", opts([("http", "HTTP API (cheaper)"), ("rest", "REST API (API keys, usage plans)")]),
                    move || p.read_lambda(|l| if l.api == ApiType::Rest { "rest" } else { "http" }.to_string()),
                    move |v| p.lambda(|l| l.api = if v == "rest" { ApiType::Rest } else { ApiType::Http }))}
                {select_field("lambda.log_retention_days", "Keep logs for", retention_options(),
                    move || p.read_lambda(|l| l.log_retention_days.to_string()),
                    move |v| if let Ok(d) = v.parse() { p.lambda(|l| l.log_retention_days = d) })}
            </div>
            {text_field("lambda.image", "Container image (ECR)", "empty: a zip, uploaded after the first deploy",
                move || p.read_lambda(|l| l.image.clone().unwrap_or_default()),
                move |v| p.lambda(|l| l.image = (!v.trim().is_empty()).then(|| v.trim().to_string())))}
            {toggle("lambda.reserved_concurrency", "Reserve concurrency",
                move || p.read_lambda(|l| l.reserved_concurrency.is_some()),
                move |on| p.lambda(|l| switch_section(on, &mut l.reserved_concurrency, kept_concurrency, || 10)))}
            <Show when=move || p.read_lambda(|l| l.reserved_concurrency.is_some())>
                {number_field("lambda.reserved_concurrency", "Reserved concurrent executions", "",
                    move || p.read_lambda(|l| l.reserved_concurrency.unwrap_or(10)),
                    move |v| p.lambda(|l| l.reserved_concurrency = Some(v)))}
            </Show>
            {toggle("lambda.bucket", "S3 bucket for the function's files",
                move || p.read_lambda(|l| l.bucket), move |v| p.lambda(|l| l.bucket = v))}
        </fieldset>
        <ApiAccess />
        <Tables />
    }
}

fn key_type_options() -> Vec<(String, String)> {
    opts([("S", "string"), ("N", "number"), ("B", "binary")])
}

fn parse_key_type(v: &str) -> KeyType {
    match v {
        "N" => KeyType::N,
        "B" => KeyType::B,
        _ => KeyType::S,
    }
}

/// A new table's name: the first `table{n}` no table has (after a row is removed,
/// `table{len + 1}` may be taken).
fn free_table_name(tables: &[Table]) -> String {
    (1..)
        .map(|n| format!("table{n}"))
        .find(|name| tables.iter().all(|t| t.name != *name))
        .expect("some name is free")
}

/// DynamoDB tables, one row each.
#[component]
fn Tables() -> impl IntoView {
    let p = use_planner();
    let count = move || p.read_lambda(|l| l.tables.len());
    // A new table's name box takes the focus, its name selected.
    let add = move |_| {
        let at = p.read_lambda(|l| l.tables.len());
        crate::browser::focus_new(super::fields::field_id(&format!(
            "lambda.tables[{at}].name"
        )));
        p.lambda(|l| {
            let name = free_table_name(&l.tables);
            l.tables.push(Table {
                name,
                partition_key: Key {
                    name: "id".into(),
                    kind: KeyType::S,
                },
                sort_key: None,
                ttl_attribute: None,
            });
        })
    };
    view! {
        <fieldset class="panel" id="f-lambda-tables" tabindex="-1">
            <legend>"DynamoDB tables (on-demand)"</legend>
            {move || (0..count()).map(table_row).collect_view()}
            <button type="button" class="secondary" data-add="tables" on:click=add>"Add table"</button>
            {field_problems("lambda.tables")}
        </fieldset>
    }
}

fn table_row(i: usize) -> impl IntoView {
    let p = use_planner();
    let read = move |f: fn(&Table) -> String| {
        move || p.read_lambda(|l| l.tables.get(i).map(f).unwrap_or_default())
    };
    let edit = move |f: fn(&mut Table, String)| {
        move |v: String| {
            p.lambda(|l| {
                if let Some(t) = l.tables.get_mut(i) {
                    f(t, v)
                }
            })
        }
    };
    let path = move |field: &str| format!("lambda.tables[{i}].{field}");
    // A memo: the type select is built again only when a sort key comes or goes, not on every
    // edit of the plan.
    let has_sort_key = crate::reactive::memo(move |_| {
        p.read_lambda(|l| l.tables.get(i).is_some_and(|t| t.sort_key.is_some()))
    });
    view! {
        <div class="table-row">
            <div class="grid two">
                {text_field(path("name"), "Table name", "orders", read(|t| t.name.clone()), edit(|t, v| t.name = v))}
                {select_field(path("partition_key.type"), "Partition key type", key_type_options(), read(|t| t.partition_key.kind.as_str().to_string()),
                    edit(|t, v| t.partition_key.kind = parse_key_type(&v)))}
                {text_field(path("partition_key.name"), "Partition key", "id", read(|t| t.partition_key.name.clone()), edit(|t, v| t.partition_key.name = v))}
                // A renamed sort key keeps its type; a new one starts as a string.
                {text_field(path("sort_key.name"), "Sort key (optional)", "created_at", read(|t| t.sort_key.as_ref().map(|k| k.name.clone()).unwrap_or_default()),
                    edit(|t, v| {
                        let kind = t.sort_key.as_ref().map_or(KeyType::S, |k| k.kind);
                        t.sort_key = (!v.trim().is_empty()).then(|| Key { name: v.trim().to_string(), kind });
                    }))}
                {move || has_sort_key.get().then(|| select_field(path("sort_key.type"), "Sort key type", key_type_options(),
                    read(|t| t.sort_key.as_ref().map_or("S", |k| k.kind.as_str()).to_string()),
                    edit(|t, v| if let Some(k) = t.sort_key.as_mut() { k.kind = parse_key_type(&v) })))}
                {text_field(path("ttl_attribute"), "TTL attribute (optional)", "expires_at", read(|t| t.ttl_attribute.clone().unwrap_or_default()),
                    edit(|t, v| t.ttl_attribute = (!v.trim().is_empty()).then(|| v.trim().to_string())))}
            </div>
            <button type="button" class="secondary danger" data-remove="tables"
                aria-label=move || format!("Remove table {}", p.read_lambda(|l| l.tables.get(i).map(|t| t.name.clone()).unwrap_or_default()))
                on:click=move |ev| {
                    crate::browser::refocus_row(ev.target(), "tables");
                    p.lambda(|l| { if i < l.tables.len() { l.tables.remove(i); } });
                }>
                "Remove table"
            </button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_table_never_takes_a_name_in_use() {
        let named = |names: &[&str]| -> Vec<Table> {
            names
                .iter()
                .map(|n| Table {
                    name: (*n).into(),
                    partition_key: Key {
                        name: "id".into(),
                        kind: KeyType::S,
                    },
                    sort_key: None,
                    ttl_attribute: None,
                })
                .collect()
        };
        assert_eq!(free_table_name(&[]), "table1");
        assert_eq!(free_table_name(&named(&["table1"])), "table2");
        // table1 removed from table1, table2: the count says table2, which is taken.
        assert_eq!(free_table_name(&named(&["table2"])), "table1");
        assert_eq!(
            free_table_name(&named(&["table1", "table3", "table2"])),
            "table4"
        );
    }
}
