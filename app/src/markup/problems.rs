//! The plan's problems as list items, each a link to its field (`#f-…`). The page has one
//! click handler on the list, which scrolls to the field and focuses it.

use shared::{Problem, Severity};

use super::{attribute, escape, escape_message};
use crate::components::fields::field_id;

/// One `<li>` per problem, in the validator's order. `label` gives the name the form shows
/// for a field path, if the field is on the page: the link leads with it, its path after.
/// `typed`: a message at this path quotes what the user typed, so its backticks are text,
/// not code spans.
pub fn items(
    problems: &[Problem],
    label: &dyn Fn(&str) -> Option<String>,
    typed: &dyn Fn(&str) -> bool,
) -> String {
    let mut out = String::with_capacity(256 * problems.len());
    for p in problems {
        out.push_str(match p.severity {
            Severity::Error => "<li class=\"problem error\"><a href=\"#",
            Severity::Warning => "<li class=\"problem warning\"><a href=\"#",
        });
        attribute(&mut out, &field_id(&p.path));
        out.push_str("\">");
        if let Some(name) = label(&p.path) {
            out.push_str("<strong>");
            escape(&mut out, &name);
            out.push_str("</strong> ");
        }
        out.push_str("<code>");
        escape(&mut out, &p.path);
        out.push_str("</code></a> <span>");
        if typed(&p.path) {
            escape(&mut out, &p.message);
        } else {
            escape_message(&mut out, &p.message);
        }
        out.push_str("</span></li>");
    }
    out
}

/// The name of a problem's place that has no field label of its own: a tag whose key was
/// emptied is at `tags.`, which alone reads as a slip.
pub fn place_name(path: &str) -> Option<&'static str> {
    (path == "tags.").then_some("A tag without a key")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_without_a_key_is_named_in_words() {
        assert_eq!(place_name("tags."), Some("A tag without a key"));
        assert_eq!(place_name("tags.team"), None);
        assert_eq!(place_name("project"), None);
    }

    #[test]
    fn each_problem_links_to_its_field() {
        let problems = [
            Problem {
                path: "fargate.memory_mib".into(),
                message: "must be at least 512".into(),
                severity: Severity::Error,
            },
            Problem {
                path: "tags[\"a<b\"]".into(),
                message: "a & b".into(),
                severity: Severity::Warning,
            },
        ];
        assert_eq!(
            items(&problems, &|_| None, &|_| false),
            "<li class=\"problem error\"><a href=\"#f-fargate-memory_mib\"><code>fargate.memory_mib\
             </code></a> <span>must be at least 512</span></li><li class=\"problem warning\">\
             <a href=\"#f-tags-.22a.3cb.22-\"><code>tags[\"a&lt;b\"]</code></a> <span>a &amp; b\
             </span></li>"
        );
        // A message that quotes what was typed keeps its backticks as text.
        let quoted = [Problem {
            path: "fargate.vcpu".into(),
            message: "\"a`b`c\" is not a number".into(),
            severity: Severity::Error,
        }];
        assert!(
            items(&quoted, &|_| None, &|_| true).contains("<span>\"a`b`c\" is not a number</span>")
        );
        assert!(items(&quoted, &|_| None, &|_| false).contains("<code>b</code>"));
        // A field on the page is named as the form names it, its path after.
        let named = items(
            &problems[..1],
            &|path| (path == "fargate.memory_mib").then(|| "Memory <MiB>".to_string()),
            &|_| false,
        );
        assert!(
            named.starts_with(
                "<li class=\"problem error\"><a href=\"#f-fargate-memory_mib\"><strong>Memory &lt;MiB&gt;\
                 </strong> <code>fargate.memory_mib</code></a>"
            ),
            "{named}"
        );
    }
}
