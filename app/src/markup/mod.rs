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

/// Text for a double-quoted attribute value (the diagram's escaper).
pub fn attribute(out: &mut String, text: &str) {
    out.push_str(&shared::topology::escape_xml(text));
}

#[cfg(test)]
mod tests {
    #[test]
    fn attribute_values_cannot_end_early_or_open_a_tag() {
        let mut out = String::new();
        super::attribute(&mut out, "say \"<hi>\" & go");
        assert_eq!(out, "say &quot;&lt;hi&gt;&quot; &amp; go");
    }
}
