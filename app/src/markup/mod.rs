//! Read-only parts of the page as markup, from pure functions tested natively.
//!
//! A part that takes no input of its own is written as one string of HTML (or SVG) that the
//! page sets as an element's inner HTML, as the topology diagram is; the page rebuilds it
//! whole when its data changes, or patches the texts that changed (the cost lines). In Leptos
//! each element's attributes are their own type, with their own build and rebuild code in the
//! wasm: the comparison's totals, table, verdict and chart cost 12.5 KB of the planner's
//! gzipped wasm as `view!`s. Interactive parts stay views; links inside markup are served by
//! one handler on their container (see `problems`).
//!
//! Every text that comes from data is escaped, with [`escape`] or [`attribute`].

pub mod chart;
pub mod compare;
pub mod cost_lines;
pub mod problems;

pub use crate::highlight::escape;

/// A message's text, escaped, with its `code` spans (the validator's and the server's messages
/// mark names and values so, as the CLI prints them) as `<code>`; a message with an odd number
/// of backticks is written as it is.
pub fn escape_message(out: &mut String, text: &str) {
    if text.matches('`').count() % 2 == 1 {
        escape(out, text);
        return;
    }
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str("<code>");
            escape(out, part);
            out.push_str("</code>");
        } else {
            escape(out, part);
        }
    }
}

/// Text for a double-quoted attribute value (the diagram's escaper).
pub fn attribute(out: &mut String, text: &str) {
    out.push_str(&shared::topology::escape_xml(text));
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_messages_code_spans_are_code() {
        let mut out = String::new();
        super::escape_message(&mut out, "keep it in `secret` or `a<b`, say");
        assert_eq!(
            out,
            "keep it in <code>secret</code> or <code>a&lt;b</code>, say"
        );
        let mut out = String::new();
        super::escape_message(&mut out, "a ` alone & more");
        assert_eq!(out, "a ` alone &amp; more");
    }

    #[test]
    fn attribute_values_cannot_end_early_or_open_a_tag() {
        let mut out = String::new();
        super::attribute(&mut out, "say \"<hi>\" & go");
        assert_eq!(out, "say &quot;&lt;hi&gt;&quot; &amp; go");
    }
}
