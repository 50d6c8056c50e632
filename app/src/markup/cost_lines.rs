//! The cost lines, grouped by service and each expandable to its formula, and the largest
//! lines of the summary.
//!
//! An edit changes the amounts and formulas of a few lines, not which lines there are. The page
//! builds the groups from [`html`] only when the lines' names change ([`Lines::shape`]), keeping
//! what the user opened, and otherwise writes only the texts that differ ([`Lines::changes`]).
//! One pass per edit replaces some 130 reactive texts, each of which read the estimate again.

use shared::cost::Estimate;

use super::{attribute, escape};
use crate::components::cost_summary::money;

/// What one line shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub item: String,
    pub usd: String,
    pub formula: String,
    /// The live price differs from the embedded book's.
    pub changed: bool,
    /// The unit price is derived from other prices.
    pub derived: bool,
}

/// One service's lines and their subtotal.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub service: String,
    pub subtotal: String,
    pub lines: Vec<Line>,
}

/// Every line of an estimate, grouped by service in the order services first appear.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lines(pub Vec<Group>);

/// A text of the groups that differs from what is shown.
#[derive(Clone, Debug, PartialEq)]
pub enum Change<'a> {
    Subtotal {
        group: usize,
        text: &'a str,
    },
    Usd {
        group: usize,
        line: usize,
        text: &'a str,
    },
    Formula {
        group: usize,
        line: usize,
        text: &'a str,
    },
    /// The line's name and badges, and whether it is marked changed.
    Head {
        group: usize,
        line: usize,
        html: String,
        changed: bool,
    },
}

impl Lines {
    /// `changed[i]`: line `i`'s live price differs from the embedded book's. The groups are
    /// [`Estimate::by_service`]'s.
    pub fn of(e: &Estimate, changed: &[bool]) -> Lines {
        let changed = |l: &shared::cost::Line| {
            e.lines
                .iter()
                .position(|m| std::ptr::eq(m, l))
                .and_then(|i| changed.get(i).copied())
                .unwrap_or(false)
        };
        Lines(
            e.by_service()
                .into_iter()
                .map(|(service, usd, lines)| {
                    let unknown = lines.iter().any(|l| l.monthly_usd.is_none());
                    Group {
                        service,
                        subtotal: format!(
                            "{}{}",
                            money(usd),
                            if unknown { " + unknown" } else { "" }
                        ),
                        lines: lines
                            .into_iter()
                            .map(|l| Line {
                                item: l.item.clone(),
                                usd: l.monthly_usd.map(money).unwrap_or_else(|| "unknown".into()),
                                formula: l.formula.clone(),
                                changed: changed(l),
                                derived: l.derived,
                            })
                            .collect(),
                    }
                })
                .collect(),
        )
    }

    /// Whether `other` has the same services with the same lines, in the same order: then the
    /// page's elements can stay and only texts change.
    pub fn same_shape(&self, other: &Lines) -> bool {
        self.0.len() == other.0.len()
            && self.0.iter().zip(&other.0).all(|(a, b)| {
                a.service == b.service
                    && a.lines.len() == b.lines.len()
                    && a.lines.iter().zip(&b.lines).all(|(x, y)| x.item == y.item)
            })
    }

    /// The texts of `new` that differ from `self`'s, which has the same shape.
    pub fn changes<'a>(&self, new: &'a Lines) -> Vec<Change<'a>> {
        let mut out = Vec::new();
        for (group, (a, b)) in self.0.iter().zip(&new.0).enumerate() {
            if a.subtotal != b.subtotal {
                out.push(Change::Subtotal {
                    group,
                    text: &b.subtotal,
                });
            }
            for (line, (x, y)) in a.lines.iter().zip(&b.lines).enumerate() {
                if x.usd != y.usd {
                    out.push(Change::Usd {
                        group,
                        line,
                        text: &y.usd,
                    });
                }
                if x.formula != y.formula {
                    out.push(Change::Formula {
                        group,
                        line,
                        text: &y.formula,
                    });
                }
                if (x.changed, x.derived) != (y.changed, y.derived) {
                    out.push(Change::Head {
                        group,
                        line,
                        html: head(y),
                        changed: y.changed,
                    });
                }
            }
        }
        out
    }
}

/// The inside of a line's name: the item and its badges.
pub fn head(l: &Line) -> String {
    let mut out = String::new();
    escape(&mut out, &l.item);
    if l.changed {
        out.push_str("<span class=\"changed-badge\" title=\"The live price differs from the embedded book's\">price changed</span>");
    }
    if l.derived {
        out.push_str("<span class=\"derived-badge\" data-testid=\"derived-price\" title=\"This unit price is not read as a unit price from this region's price list: it is worked out from other figures, by a rule the price book states (such as Multi-AZ = 2 × Single-AZ, or a price found equal in every region checked) or from a monthly figure ÷ 730 hours\">derived price</span>");
    }
    out
}

/// The groups, each a `<details>` of its lines. `open(service, item)` says whether a group
/// (`item` `None`) or a line was open, so that it stays open when the groups are built again.
pub fn html(lines: &Lines, open: &dyn Fn(&str, Option<&str>) -> bool) -> String {
    let mut out = String::with_capacity(8192);
    for g in &lines.0 {
        out.push_str(if open(&g.service, None) {
            "<details class=\"cost-group\" open><summary><span>"
        } else {
            "<details class=\"cost-group\"><summary><span>"
        });
        escape(&mut out, &g.service);
        out.push_str("</span><span class=\"line-usd\">");
        escape(&mut out, &g.subtotal);
        out.push_str("</span></summary><ul>");
        for l in &g.lines {
            out.push_str(if l.changed {
                "<li class=\"changed\">"
            } else {
                "<li>"
            });
            out.push_str(if open(&g.service, Some(&l.item)) {
                "<details open><summary><span>"
            } else {
                "<details><summary><span>"
            });
            out.push_str(&head(l));
            out.push_str("</span><span class=\"line-usd\">");
            escape(&mut out, &l.usd);
            out.push_str("</span></summary><p class=\"formula\">");
            escape(&mut out, &l.formula);
            out.push_str("</p></details></li>");
        }
        out.push_str("</ul></details>");
    }
    out
}

/// The summary's `n` largest lines, each with its name (its formula on hover), a bar as wide
/// as its share of the largest, and its amount.
pub fn largest(e: &Estimate, n: usize) -> String {
    let top = e.largest_lines(n);
    let max = top
        .first()
        .and_then(|l| l.monthly_usd)
        .unwrap_or(1.0)
        .max(0.01);
    let mut out = String::with_capacity(256 * top.len());
    for l in top {
        let v = l.monthly_usd.unwrap_or(0.0);
        out.push_str("<li><span class=\"line-name\" title=\"");
        attribute(&mut out, &l.formula);
        out.push_str("\">");
        escape(&mut out, &l.service);
        out.push_str(": ");
        escape(&mut out, &l.item);
        out.push_str("</span><span class=\"bar\" aria-hidden=\"true\"><span style=\"");
        attribute(
            &mut out,
            &format!("width: {}%", shared::decimal::Fixed::<1>(v / max * 100.0)),
        );
        out.push_str("\"></span></span><span class=\"line-usd\">");
        escape(&mut out, &money(v));
        out.push_str("</span></li>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::cost::{Options, PriceBook, estimate};
    use shared::{ValidPlan, examples};

    fn fargate() -> Estimate {
        let plan = ValidPlan::new(examples::fargate()).unwrap();
        estimate(&plan, PriceBook::embedded(), Options { free_tier: true })
    }

    #[test]
    fn lines_are_the_estimates_service_groups_with_subtotals() {
        let e = fargate();
        let mut changed = vec![false; e.lines.len()];
        changed[3] = true;
        let lines = Lines::of(&e, &changed);
        let groups = e.by_service();
        assert_eq!(lines.0.len(), groups.len());
        for (g, (service, usd, items)) in lines.0.iter().zip(&groups) {
            assert_eq!(&g.service, service);
            let unknown = items.iter().any(|l| l.monthly_usd.is_none());
            assert_eq!(
                g.subtotal,
                format!("{}{}", money(*usd), if unknown { " + unknown" } else { "" })
            );
            let names: Vec<&str> = g.lines.iter().map(|l| l.item.as_str()).collect();
            let expected: Vec<&str> = items.iter().map(|l| l.item.as_str()).collect();
            assert_eq!(names, expected);
        }
        // The changed mark follows the line, wherever its group puts it.
        let marked: Vec<&str> = lines
            .0
            .iter()
            .flat_map(|g| {
                g.lines
                    .iter()
                    .filter(|l| l.changed)
                    .map(|l| l.item.as_str())
            })
            .collect();
        assert_eq!(marked, [e.lines[3].item.as_str()]);
    }

    #[test]
    fn an_edit_changes_only_the_texts_that_differ() {
        let e = fargate();
        let before = Lines::of(&e, &[]);
        let mut plan = examples::fargate();
        if let shared::plan::Architecture::Fargate(f) = &mut plan.architecture {
            f.min_tasks += 1;
            f.desired_tasks = f.desired_tasks.max(f.min_tasks);
            f.max_tasks = f.max_tasks.max(f.min_tasks);
        }
        let e2 = estimate(
            &ValidPlan::new(plan).unwrap(),
            PriceBook::embedded(),
            Options { free_tier: true },
        );
        let after = Lines::of(&e2, &[true]);
        assert!(before.same_shape(&after));
        let changes = before.changes(&after);
        // The first line is now marked changed, and at least one amount moved; nothing that
        // stayed the same is written.
        assert!(changes.iter().any(|c| matches!(
            c,
            Change::Head { group: 0, line: 0, changed: true, html } if html.contains("price changed")
        )));
        assert!(changes.iter().any(|c| matches!(c, Change::Usd { .. })));
        for c in &changes {
            match c {
                Change::Usd { group, line, text } => {
                    assert_ne!(before.0[*group].lines[*line].usd, *text)
                }
                Change::Formula { group, line, text } => {
                    assert_ne!(before.0[*group].lines[*line].formula, *text)
                }
                Change::Subtotal { group, text } => assert_ne!(before.0[*group].subtotal, *text),
                Change::Head { .. } => {}
            }
        }
        assert!(before.changes(&before).is_empty());
        let mut fewer = after.clone();
        fewer.0[0].lines.pop();
        assert!(!after.same_shape(&fewer));
    }

    #[test]
    fn the_markup_escapes_and_keeps_what_was_open() {
        let lines = Lines(vec![Group {
            service: "S3 <a>".into(),
            subtotal: "$1.00 + unknown".into(),
            lines: vec![
                Line {
                    item: "GET & PUT".into(),
                    usd: "unknown".into(),
                    formula: "1 < 2".into(),
                    changed: true,
                    derived: true,
                },
                Line {
                    item: "storage".into(),
                    usd: "$1.00".into(),
                    formula: "1 GB".into(),
                    changed: false,
                    derived: false,
                },
            ],
        }]);
        let html = html(&lines, &|service, item| {
            service == "S3 <a>" && (item.is_none() || item == Some("storage"))
        });
        assert_eq!(
            html,
            "<details class=\"cost-group\" open><summary><span>S3 &lt;a&gt;</span><span class=\"line-usd\">$1.00 + unknown</span></summary><ul>\
             <li class=\"changed\"><details><summary><span>GET &amp; PUT\
             <span class=\"changed-badge\" title=\"The live price differs from the embedded book's\">price changed</span>\
             <span class=\"derived-badge\" data-testid=\"derived-price\" title=\"This unit price is not read as a unit price from this region's price list: it is worked out from other figures, by a rule the price book states (such as Multi-AZ = 2 × Single-AZ, or a price found equal in every region checked) or from a monthly figure ÷ 730 hours\">derived price</span>\
             </span><span class=\"line-usd\">unknown</span></summary><p class=\"formula\">1 &lt; 2</p></details></li>\
             <li><details open><summary><span>storage</span><span class=\"line-usd\">$1.00</span></summary><p class=\"formula\">1 GB</p></details></li>\
             </ul></details>"
        );
    }

    #[test]
    fn the_largest_lines_are_sorted_with_bars_relative_to_the_first() {
        let e = fargate();
        let html = largest(&e, 5);
        assert_eq!(html.matches("<li>").count(), 5);
        let top = e.largest_lines(5);
        assert!(html.contains("style=\"width: 100.0%\""));
        let first = format!("{}: {}", top[0].service, top[0].item);
        let last = format!("{}: {}", top[4].service, top[4].item);
        let (a, b) = (html.find(&first).unwrap(), html.find(&last).unwrap());
        assert!(a < b);
        assert!(html.contains(&money(top[4].monthly_usd.unwrap())));
    }
}
