//! The template text on the page, one `<span>` per line. An edit changes a few lines of a
//! 1,000-line template; only those are replaced, in the edit's own frame and uncoloured. On the
//! next task the changed lines are highlighted (a YAML text whole) and only the lines whose
//! colours changed are written. Replacing the whole text removed and rebuilt some 3,000
//! highlighted spans on every edit, the largest cost of an update. Each line is a block
//! (style/main.css), so the browser lays out again only the lines that changed.

use shared::Format;
use web_sys::Element;

use crate::highlight::{escape, highlight_lines, json_line};

/// What the `<code>` element holds: its lines, and the HTML each is coloured with (`None`: plain).
#[derive(Default)]
pub struct Shown {
    format: Option<Format>,
    lines: Vec<String>,
    coloured: Vec<Option<String>>,
}

/// More plain lines than this are coloured by one `innerHTML` of the whole text.
const LINE_BY_LINE: usize = 64;

impl Shown {
    /// Shows `text`: the lines that differ from those on the page replace them, uncoloured.
    pub fn show(&mut self, code: &Element, text: &str, format: Format) {
        if self.format != Some(format) {
            *self = Shown {
                format: Some(format),
                ..Shown::default()
            };
            code.set_inner_html("");
        }
        let new: Vec<&str> = text.split_inclusive('\n').collect();
        let children = code.children();
        let mut at = 0; // the line (and child element) the next edit applies to
        for edit in diff(&self.lines, &new) {
            match edit {
                Edit::Keep(n) => at += n,
                Edit::Replace(j) => {
                    if let Some(line) = children.item(at as u32) {
                        line.set_text_content(Some(new[j]));
                    }
                    self.lines[at] = new[j].to_string();
                    self.coloured[at] = None;
                    at += 1;
                }
                Edit::Delete(n) => {
                    for _ in 0..n {
                        if let Some(line) = children.item(at as u32) {
                            line.remove();
                        }
                    }
                    self.lines.drain(at..at + n);
                    self.coloured.drain(at..at + n);
                }
                Edit::Insert(from, to) => {
                    let mut html = String::new();
                    for line in &new[from..to] {
                        html.push_str("<span>");
                        escape(&mut html, line);
                        html.push_str("</span>");
                    }
                    let _ = match children.item(at as u32) {
                        Some(next) => next.insert_adjacent_html("beforebegin", &html),
                        None => code.insert_adjacent_html("beforeend", &html),
                    };
                    self.lines
                        .splice(at..at, new[from..to].iter().map(|l| l.to_string()));
                    self.coloured
                        .splice(at..at, std::iter::repeat_n(None, to - from));
                    at += to - from;
                }
            }
        }
    }

    /// Colours the lines whose colours are not on the page, if `text` is still what is shown.
    pub fn colour(&mut self, code: &Element, text: &str, format: Format) {
        let current = self.format == Some(format)
            && self.lines.len() == text.split_inclusive('\n').count()
            && self
                .lines
                .iter()
                .zip(text.split_inclusive('\n'))
                .all(|(a, b)| a == b);
        if !current {
            return;
        }
        // The lines whose colours are not on the page, with their HTML. A JSON line's colours
        // depend on that line alone, so only the lines changed since the last colouring are
        // highlighted. A YAML line can be inside a block scalar that starts lines before it,
        // so YAML is highlighted whole and compared.
        let stale: Vec<(usize, String)> = match format {
            Format::Json => (0..self.lines.len())
                .filter(|&i| self.coloured[i].is_none())
                .map(|i| (i, json_line(&self.lines[i])))
                .collect(),
            Format::Yaml => {
                let html = highlight_lines(text, format);
                if html.len() != self.lines.len() {
                    return; // cannot happen (lines end where the text's do), never worth a panic
                }
                html.into_iter()
                    .enumerate()
                    .filter(|(i, h)| self.coloured[*i].as_deref() != Some(h.as_str()))
                    .collect()
            }
        };
        let many = stale.len() > LINE_BY_LINE;
        if !many {
            let children = code.children();
            for (i, html) in &stale {
                if let Some(line) = children.item(*i as u32) {
                    line.set_inner_html(html);
                }
            }
        }
        for (i, html) in stale {
            self.coloured[i] = Some(html);
        }
        if many {
            let mut all = String::with_capacity(text.len() * 2);
            for line in self.coloured.iter().flatten() {
                all.push_str("<span>");
                all.push_str(line);
                all.push_str("</span>");
            }
            code.set_inner_html(&all);
        }
    }
}

/// One step from the lines on the page to the new ones, at the current line.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Edit {
    /// The next `n` lines stay.
    Keep(usize),
    /// The next line becomes `new[j]`.
    Replace(usize),
    /// The next `n` lines go.
    Delete(usize),
    /// `new[from..to]` comes in before the next line.
    Insert(usize, usize),
}

/// How far ahead a changed stretch looks for the next line both texts share.
const LOOK_AHEAD: usize = 64;

/// The edits that turn `old` into `new`: equal lines are kept, a changed line is replaced, and
/// lines added or removed are found by looking a little ahead for the next common line. Not a
/// minimal diff, but an edit of a template (a value, a property, a resource) comes out as
/// the few lines it touched, wherever they are.
fn diff(old: &[String], new: &[&str]) -> Vec<Edit> {
    let mut edits = Vec::new();
    let push = |edits: &mut Vec<Edit>, edit: Edit| match (edits.last_mut(), edit) {
        (Some(Edit::Keep(n)), Edit::Keep(m)) | (Some(Edit::Delete(n)), Edit::Delete(m)) => *n += m,
        _ => edits.push(edit),
    };
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        if i == old.len() {
            push(&mut edits, Edit::Insert(j, new.len()));
            break;
        }
        if j == new.len() {
            push(&mut edits, Edit::Delete(old.len() - i));
            break;
        }
        if old[i] == new[j] {
            push(&mut edits, Edit::Keep(1));
            (i, j) = (i + 1, j + 1);
            continue;
        }
        // Lines added before old[i], or old lines removed before new[j]: the nearer wins.
        let added = (j + 1..new.len().min(j + LOOK_AHEAD)).find(|&k| new[k] == old[i]);
        let removed = (i + 1..old.len().min(i + LOOK_AHEAD)).find(|&k| old[k] == new[j]);
        match (added, removed) {
            (Some(k), Some(l)) if k - j <= l - i => {
                push(&mut edits, Edit::Insert(j, k));
                j = k;
            }
            (Some(k), None) => {
                push(&mut edits, Edit::Insert(j, k));
                j = k;
            }
            (_, Some(l)) => {
                push(&mut edits, Edit::Delete(l - i));
                i = l;
            }
            (None, None) => {
                push(&mut edits, Edit::Replace(j));
                (i, j) = (i + 1, j + 1);
            }
        }
    }
    edits
}

#[cfg(test)]
mod tests {
    use super::{Edit, diff};

    fn lines(s: &str) -> Vec<String> {
        s.split_inclusive('\n').map(str::to_string).collect()
    }

    /// Applies the edits as `Shown::show` applies them to the page.
    fn apply(old: &[String], new: &[&str]) -> Vec<String> {
        let mut out = old.to_vec();
        let mut at = 0;
        for edit in diff(old, new) {
            match edit {
                Edit::Keep(n) => at += n,
                Edit::Replace(j) => {
                    out[at] = new[j].to_string();
                    at += 1;
                }
                Edit::Delete(n) => {
                    out.drain(at..at + n);
                }
                Edit::Insert(from, to) => {
                    out.splice(at..at, new[from..to].iter().map(|l| l.to_string()));
                    at += to - from;
                }
            }
        }
        out
    }

    #[test]
    fn two_changed_lines_far_apart_are_two_replacements() {
        let old = lines("a\nb\nc\nd\ne\n");
        let new: Vec<&str> = "a\nB\nc\nd\nE\n".split_inclusive('\n').collect();
        assert_eq!(
            diff(&old, &new),
            [
                Edit::Keep(1),
                Edit::Replace(1),
                Edit::Keep(2),
                Edit::Replace(4)
            ]
        );
    }

    #[test]
    fn added_and_removed_lines_are_found() {
        let old = lines("a\nb\nc\nd\n");
        let new: Vec<&str> = "a\nx\ny\nb\nc\n".split_inclusive('\n').collect();
        assert_eq!(
            diff(&old, &new),
            [
                Edit::Keep(1),
                Edit::Insert(1, 3),
                Edit::Keep(2),
                Edit::Delete(1)
            ]
        );
    }

    /// Whatever the texts, the edits turn the old lines into the new ones.
    #[test]
    fn the_edits_always_give_the_new_text() {
        let plans = [
            shared::examples::fargate(),
            shared::examples::lambda(),
            shared::examples::matrix().remove(5).1,
        ];
        let texts: Vec<String> = plans
            .iter()
            .flat_map(|p| {
                let t = shared::template::generate(&shared::ValidPlan::new(p.clone()).unwrap());
                [t.to_json(), t.to_yaml()]
            })
            .collect();
        let mut cases: Vec<(String, String)> = Vec::new();
        for a in &texts {
            for b in &texts {
                cases.push((a.clone(), b.clone()));
            }
            cases.push((a.clone(), String::new()));
            cases.push((String::new(), a.clone()));
            // Every tenth line dropped, and repeated lines doubled.
            let thinned: String = a
                .split_inclusive('\n')
                .enumerate()
                .filter(|(i, _)| i % 10 != 3)
                .map(|(_, l)| l)
                .collect();
            let doubled: String = a
                .split_inclusive('\n')
                .flat_map(|l| {
                    if l.trim() == "}," {
                        vec![l, l]
                    } else {
                        vec![l]
                    }
                })
                .collect();
            cases.push((a.clone(), thinned.clone()));
            cases.push((thinned, a.clone()));
            cases.push((doubled, a.clone()));
        }
        for (a, b) in cases {
            let old = lines(&a);
            let new: Vec<&str> = b.split_inclusive('\n').collect();
            assert_eq!(apply(&old, &new), new);
        }
    }
}
