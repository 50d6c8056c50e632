//! The plan being edited, kept in this tab's session storage at each edit, so a reload (or a
//! crash of the tab's page) gives it back instead of the example or the link the page was
//! opened with. One for each address it was edited at: a reload of that address restores it,
//! another share link opened in the tab opens that link (and keeps a draft of its own).

use shared::Plan;
use shared::plan::Architecture;

/// One draft per address (`stackplan-draft:` and the address): a link opened in the tab keeps
/// its own, and the draft made at the address before is there when the tab goes back to it.
const KEY: &str = "stackplan-draft:";

/// What a reload gives back.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    /// The share link's fragment in the address bar when it was saved ("" for none).
    pub address: String,
    /// Where the plan first came from ([`crate::state::Planner::opened_from`]): a plan someone
    /// else wrote stays one after a reload, and its deploy is still confirmed with what it uses.
    pub from: Option<&'static str>,
    pub free_tier: bool,
    pub plan: Plan,
    /// The settings of the other architecture, kept for switching back
    /// ([`crate::state::Planner::switch`]), if the tab had any.
    pub other: Option<Architecture>,
}

impl Draft {
    /// The text kept: five lines (where from, the address, the free-tier switch, the plan's
    /// JSON on one line, and the plan as it would be with the other architecture's settings,
    /// or nothing).
    pub fn to_text(&self) -> String {
        Draft::text(
            &self.address,
            self.from,
            self.free_tier,
            &self.plan,
            self.other.as_ref(),
        )
    }

    /// [`Draft::to_text`] of its parts, for the plan as it stands (not copied at each edit).
    pub fn text(
        address: &str,
        from: Option<&'static str>,
        free_tier: bool,
        plan: &Plan,
        other: Option<&Architecture>,
    ) -> String {
        let from = match from {
            Some(crate::state::LINK) => "link",
            Some(crate::state::PLAN_FILE) => "file",
            _ => "",
        };
        // The other side as a whole plan: it is read back by the plan's own reader.
        let other = other
            .map(|a| {
                let whole = Plan {
                    architecture: a.clone(),
                    ..plan.clone()
                };
                serde_json::to_string(&whole).expect("a plan always serializes")
            })
            .unwrap_or_default();
        let plan = serde_json::to_string(plan).expect("a plan always serializes");
        format!(
            "{from}\n{address}\n{}\n{plan}\n{other}",
            u8::from(free_tier)
        )
    }

    /// Reads [`Draft::to_text`]'s text; `None` for anything else (a draft an older build kept
    /// that this one's plan no longer reads is dropped: the page opens as if there were none).
    pub fn from_text(text: &str) -> Option<Draft> {
        let mut lines = text.splitn(5, '\n');
        let from = match lines.next()? {
            "link" => Some(crate::state::LINK),
            "file" => Some(crate::state::PLAN_FILE),
            "" => None,
            _ => return None,
        };
        let address = lines.next()?.to_string();
        let free_tier = match lines.next()? {
            "1" => true,
            "0" => false,
            _ => return None,
        };
        let plan = Plan::from_json(lines.next()?).ok()?;
        // The other side is extra: one that no longer reads (or a draft of before it was
        // kept) loses only itself.
        let other = lines
            .next()
            .and_then(|t| Plan::from_json(t).ok())
            .map(|p| p.architecture)
            .filter(|a| a.kind() != plan.kind());
        Some(Draft {
            address,
            from,
            free_tier,
            plan,
            other,
        })
    }
}

/// The draft this tab kept at `address` (the share link's fragment now in the address bar, or
/// "").
pub fn read(address: &str) -> Option<Draft> {
    let text = crate::browser::session_storage()?
        .get_item(&format!("{KEY}{address}"))
        .ok()??;
    Draft::from_text(&text).filter(|d| d.address == address)
}

/// Keeps the draft made of these parts ([`Draft::text`]) for the next load of this tab. A full
/// storage loses only the draft.
pub fn write(
    address: &str,
    from: Option<&'static str>,
    free_tier: bool,
    plan: &Plan,
    other: Option<&Architecture>,
) {
    if let Some(storage) = crate::browser::session_storage() {
        let _ = storage.set_item(
            &format!("{KEY}{address}"),
            &Draft::text(address, from, free_tier, plan, other),
        );
    }
}

/// Drops the draft kept at `address`: the address moved on ([`crate::state::Planner::address_follows_plan`]).
pub fn forget(address: &str) {
    if let Some(storage) = crate::browser::session_storage() {
        let _ = storage.remove_item(&format!("{KEY}{address}"));
    }
}

/// The template's format the tab showed last: a reload keeps the tab the user chose.
const FORMAT_KEY: &str = "stackplan-format";

/// The template format this tab chose last, if any.
pub fn read_format() -> Option<shared::Format> {
    let text = crate::browser::session_storage()?
        .get_item(FORMAT_KEY)
        .ok()??;
    match text.as_str() {
        "yaml" => Some(shared::Format::Yaml),
        "json" => Some(shared::Format::Json),
        _ => None,
    }
}

/// Keeps the template format chosen, for the next load of this tab.
pub fn write_format(format: shared::Format) {
    if let Some(storage) = crate::browser::session_storage() {
        let text = match format {
            shared::Format::Json => "json",
            shared::Format::Yaml => "yaml",
        };
        let _ = storage.set_item(FORMAT_KEY, text);
    }
}

#[cfg(test)]
mod tests {
    use super::Draft;

    #[test]
    fn a_draft_reads_back_as_it_was_kept() {
        for (from, free_tier) in [
            (None, true),
            (Some(crate::state::LINK), false),
            (Some(crate::state::PLAN_FILE), true),
        ] {
            let mut plan = shared::examples::lambda();
            plan.tags.insert("note".into(), "two\nlines".into());
            for other in [None, shared::examples::fargate().architecture.into()] {
                let draft = Draft {
                    address: "#plan=abc&free_tier=off".into(),
                    from,
                    free_tier,
                    plan: plan.clone(),
                    other,
                };
                assert_eq!(Draft::from_text(&draft.to_text()), Some(draft));
            }
        }
    }

    /// The other architecture's settings are extra: a draft kept before they were, or with
    /// some that no longer read, or of the same architecture, is the plan alone.
    #[test]
    fn the_other_side_loses_only_itself() {
        let draft = Draft {
            address: String::new(),
            from: None,
            free_tier: true,
            plan: shared::examples::fargate(),
            other: Some(shared::examples::lambda().architecture),
        };
        let text = draft.to_text();
        let (head, other) = text.rsplit_once('\n').unwrap();
        let alone = Draft {
            other: None,
            ..draft.clone()
        };
        for (changed, why) in [
            (head.to_string(), "kept before"),
            (format!("{head}\n"), "none"),
            (
                format!("{head}\n{}", other.replace("\"memory_mb\"", "\"memory\"")),
                "unread",
            ),
            (
                format!(
                    "{head}\n{}",
                    serde_json::to_string(&shared::examples::fargate()).unwrap()
                ),
                "same side",
            ),
        ] {
            assert_eq!(Draft::from_text(&changed), Some(alone.clone()), "{why}");
        }
    }

    #[test]
    fn what_is_not_a_draft_is_none() {
        let kept = Draft {
            address: String::new(),
            from: None,
            free_tier: true,
            plan: shared::examples::fargate(),
            other: None,
        }
        .to_text();
        assert!(Draft::from_text(&kept).is_some());
        for text in [
            String::new(),
            "\n\n1".into(),
            kept.replacen("\n1\n", "\n2\n", 1),
            format!("elsewhere{kept}"),
            kept.replace("\"region\":\"us-east-1\"", "\"region\":\"mars-1\""),
            // The plan's JSON cut short (the empty line after it is the other side's).
            kept.replacen("}\n", "\n", 1),
        ] {
            assert_eq!(Draft::from_text(&text), None, "{text:?}");
        }
    }
}
