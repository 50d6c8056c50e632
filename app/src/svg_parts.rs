//! Updating the diagram in place: only the top-level parts of the SVG that changed are replaced.
//!
//! An edit usually changes a few hover costs, yet replacing the whole diagram re-parses about
//! 250 elements on every keystroke. [`split`] cuts the SVG `shared::topology` writes into its
//! root's open tag and its top-level children; [`changes`] says which children differ, or that
//! the whole diagram must be replaced (another size, other parts, or text it cannot cut).

/// The root's open tag (`<svg …>`) and its top-level children, each whole (`<g …>…</g>`).
/// `None` when the text is not one `<svg>` element made of elements only. Whitespace after it
/// is left out.
pub fn split(svg: &str) -> Option<(&str, Vec<&str>)> {
    let svg = svg.trim_end();
    if !svg.starts_with("<svg") {
        return None;
    }
    let open_end = svg.find('>')? + 1;
    if svg[..open_end].ends_with("/>") {
        return None;
    }
    let body = svg[open_end..].strip_suffix("</svg>")?;
    let mut children = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let len = element_len(rest)?;
        children.push(&rest[..len]);
        rest = &rest[len..];
    }
    Some((&svg[..open_end], children))
}

/// The length of the element `text` starts with: its open tag to its matching close tag.
fn element_len(text: &str) -> Option<usize> {
    if !text.starts_with('<') || text.starts_with("</") {
        return None;
    }
    let mut depth = 0usize;
    let mut at = 0;
    loop {
        let start = at + text[at..].find('<')?;
        let end = start + text[start..].find('>')? + 1;
        let tag = &text[start..end];
        if tag.starts_with("<!") || tag.starts_with("<?") || tag[1..].contains('<') {
            return None;
        }
        if tag.starts_with("</") {
            depth = depth.checked_sub(1)?;
        } else if !tag.ends_with("/>") {
            depth += 1;
        }
        if depth == 0 {
            return Some(end);
        }
        at = end;
    }
}

/// What turns the diagram showing `old` into `new`.
#[derive(Debug, PartialEq, Eq)]
pub enum Change<'a> {
    /// Nothing differs.
    None,
    /// Replace these top-level children (index, new markup); the rest stay.
    Parts(Vec<(usize, &'a str)>),
    /// Replace the whole diagram.
    Whole,
}

pub fn changes<'a>(old: &str, new: &'a str) -> Change<'a> {
    if old == new {
        return Change::None;
    }
    let (Some((old_open, old_parts)), Some((new_open, new_parts))) = (split(old), split(new))
    else {
        return Change::Whole;
    };
    if old_open != new_open || old_parts.len() != new_parts.len() {
        return Change::Whole;
    }
    Change::Parts(
        old_parts
            .iter()
            .zip(&new_parts)
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(i, (_, b))| (i, *b))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::cost::{self, Options, PriceBook};
    use shared::plan::Architecture;
    use shared::{ValidPlan, examples, template};

    /// The diagram as the page draws it: hover costs from the estimate.
    fn svg_of(plan: shared::Plan) -> String {
        let valid = ValidPlan::new(plan).unwrap();
        let t = template::generate(&valid);
        let e = cost::estimate(&valid, PriceBook::embedded(), Options::default());
        shared::topology::build(&t).to_svg(&|ty, n| cost::node_cost_text(&e, ty, n))
    }

    #[test]
    fn every_diagram_splits_into_parts_that_join_back_to_it() {
        for (name, plan) in examples::matrix() {
            let svg = svg_of(plan);
            let (open, parts) = split(&svg).unwrap_or_else(|| panic!("{name} does not split"));
            assert!(parts.len() > 3, "{name}: {} parts", parts.len());
            assert_eq!(format!("{open}{}</svg>\n", parts.concat()), svg, "{name}");
            for part in &parts {
                assert!(
                    part.starts_with('<') && part.ends_with('>'),
                    "{name}: {part}"
                );
                assert_eq!(element_len(part), Some(part.len()), "{name}: {part}");
            }
        }
    }

    #[test]
    fn an_edit_of_cost_replaces_only_the_parts_it_changes() {
        // As the measurement script edits: tasks follow the traffic between the minimum and
        // the maximum, so a higher minimum moves the service's hover cost.
        let with_min = |min: u32| {
            let mut plan = examples::fargate();
            let Architecture::Fargate(f) = &mut plan.architecture else {
                unreachable!("the Fargate example")
            };
            f.desired_tasks = 10;
            f.min_tasks = min;
            plan
        };
        let (plan, busier) = (with_min(2), with_min(3));
        let (old, new) = (svg_of(plan), svg_of(busier));
        let Change::Parts(parts) = changes(&old, &new) else {
            panic!("the same diagram with other costs is not patched in place");
        };
        let (_, old_parts) = split(&old).unwrap();
        assert!(
            !parts.is_empty() && parts.len() < old_parts.len() / 2,
            "{}",
            parts.len()
        );
        // Replacing those parts gives the new diagram.
        let mut patched: Vec<&str> = old_parts.clone();
        for (i, part) in &parts {
            patched[*i] = part;
        }
        let (open, _) = split(&new).unwrap();
        assert_eq!(format!("{open}{}</svg>\n", patched.concat()), new);
        assert_eq!(changes(&new, &new), Change::None);
    }

    #[test]
    fn another_shape_or_text_it_cannot_cut_replaces_the_whole() {
        let fargate = svg_of(examples::fargate());
        let lambda = svg_of(examples::lambda());
        assert_eq!(changes(&fargate, &lambda), Change::Whole);
        assert_eq!(changes("", &fargate), Change::Whole);
        assert_eq!(changes(&fargate, "<p>no diagram</p>"), Change::Whole);
        for bad in [
            "<svg/>",
            "<svg><g></svg>",
            "<svg><g></g></g></svg>",
            "<svg>text<g></g></svg>",
            "<svg><!-- c --></svg>",
            "<svg><g>",
        ] {
            assert_eq!(split(bad), None, "{bad}");
        }
        assert_eq!(
            split("<svg a=\"1\"><g><rect/></g><text>x</text></svg>"),
            Some(("<svg a=\"1\">", vec!["<g><rect/></g>", "<text>x</text>"]))
        );
    }
}
