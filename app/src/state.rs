//! The planner's state: the plan being edited and everything derived from it.

use leptos::prelude::*;
use std::sync::Arc;

use shared::api::BookSource;
use shared::cost::{self, Comparison, Estimate, PriceBook};
use shared::plan::{Architecture, Fargate, Lambda, Plan};
use shared::resources::controls::{self, Check};
use shared::{ArchitectureKind, Format, Problem, ValidPlan, examples, template};

/// The settings of the plan's optional sections while they are switched off, for switching
/// them on again ([`crate::components::fields::switch_section`]). Kept here, not in the
/// panels: an architecture's panel is built anew each time the architecture is switched to.
#[derive(Clone, Copy)]
pub struct Kept {
    pub https: StoredValue<Option<shared::plan::Https>>,
    pub database: StoredValue<Option<shared::plan::Database>>,
    pub cache: StoredValue<Option<shared::plan::Cache>>,
    pub concurrency: StoredValue<Option<u32>>,
    pub throttling: StoredValue<Option<shared::plan::Throttling>>,
    pub jwt: StoredValue<Option<shared::plan::Jwt>>,
}

impl Default for Kept {
    fn default() -> Self {
        Kept {
            https: StoredValue::new(None),
            database: StoredValue::new(None),
            cache: StoredValue::new(None),
            concurrency: StoredValue::new(None),
            throttling: StoredValue::new(None),
            jwt: StoredValue::new(None),
        }
    }
}

/// Shared through context: signals and memos are `Copy`.
#[derive(Clone, Copy)]
pub struct Planner {
    /// The plan as edited; it may be invalid.
    pub plan: RwSignal<Plan>,
    /// Why a plan the user opened (a share link, a plan file) could not be read.
    pub link_error: RwSignal<Option<String>>,
    /// The last plan file the user opened, and the plan it replaced ([`Opened`]).
    pub opened: RwSignal<Option<Opened>>,
    /// The plan of the share link the page opened, and the price book (version, date) its
    /// sharer priced it with; said over the cost while the page shows that very plan.
    pub linked_book: RwSignal<Option<(Plan, String, String)>>,
    /// The settings of the architecture not shown, kept for switching back.
    stash: RwSignal<(Option<Fargate>, Option<Lambda>)>,
    /// The settings of sections switched off, kept for switching them on again.
    pub kept: Kept,
    pub kind: Memo<ArchitectureKind>,
    /// Counts plans the user opened whole (a share link followed, a plan file, a swap back to
    /// the plan a file replaced): every box then shows the opened plan's value, whatever it held.
    pub loaded: RwSignal<u64>,
    /// Where the plan on the page came from when someone else may have written it: "a share
    /// link" or "a plan file". The deploy panel then asks before deploying a plan that uses
    /// anything beyond its stack (`shared::reach::uses`).
    pub opened_from: RwSignal<Option<&'static str>>,
    /// Number boxes whose text is not a number (yet): the plan keeps their last value, and
    /// each is an error among `problems` until it reads or goes back.
    pub untyped: RwSignal<Vec<Untyped>>,
    /// The label the form shows for each field path built so far (`fields::named`).
    pub labels: RwSignal<std::collections::BTreeMap<String, &'static str>>,
    /// The core's problems with the plan, then one per box in `untyped`.
    pub problems: Memo<Vec<Problem>>,
    pub valid: Memo<Option<ValidPlan>>,
    pub free_tier: RwSignal<bool>,
    pub format: RwSignal<Format>,
    /// The estimate of the last valid plan, and whether the current plan is that plan.
    pub estimate: Memo<Option<(Estimate, bool)>>,
    /// Both architectures on the plan's workload (last valid plan). Computed once edits pause
    /// ([`COMPARE_SETTLE`]), so that pricing the curve never delays an edit's cost, template
    /// and diagram, nor the next keystroke.
    pub comparison: RwSignal<Option<Comparison>>,
    /// The architecture of the plan `comparison` priced (the user's side of it).
    pub compared_kind: RwSignal<ArchitectureKind>,
    /// Whether `comparison` is about to be replaced (an edit is waiting to settle).
    pub comparing: RwSignal<bool>,
    /// The comparison's settings for the other side (the Lambda side's memory and CPU).
    pub sides: RwSignal<cost::Sides>,
    /// The topology SVG of the current valid plan (with cost on hover).
    pub topology: Memo<Option<String>>,
    /// Whether the diagram's text (its resources and connections) is open on the page.
    pub topology_text_open: RwSignal<bool>,
    /// The diagram as text ([`shared::topology::Topology::to_text_html`]), made only while it
    /// is open: an edit does not pay for a list nobody reads.
    pub topology_text: Memo<Option<String>>,
    /// The template text of the last valid plan in the chosen format, and whether it is current.
    pub template: Memo<Option<(String, usize, bool)>>,
    /// The `Parameters` section of the last valid plan's template (an empty object when it has
    /// none), whatever the chosen format: the deploy panel checks a stack parameter's value
    /// against these rules (as it is typed, and as the form opens). Made only when the panel
    /// reads it.
    pub template_parameters: Memo<Option<shared::template::Node>>,
    /// What the server said about the plan region's prices (`GET /api/prices/{region}`);
    /// `None` without a server, and then the embedded book is used.
    pub server_book: RwSignal<Option<ServerBook>>,
    /// The server's book when it is live, which is what prices: an answer that the embedded
    /// book is in use (the page has it already) prices nothing again.
    pub pricing: Memo<Option<ServerBook>>,
    /// For a live book: which estimate lines have a unit price other than the embedded book's.
    pub changed_lines: Memo<Vec<bool>>,
    /// AWS Control Tower's controls on the last valid plan's template (the task after an edit).
    pub controls: RwSignal<Vec<Check>>,
}

/// A box holding text the plan does not take: a number box's text that is not a number, a tag
/// key another tag has. What it says, and why the plan keeps what it had.
#[derive(Clone, Debug, PartialEq)]
pub struct Untyped {
    pub path: String,
    pub text: String,
    /// Why the plan does not take it, and what it keeps meanwhile: "is not a whole number, such
    /// as 10000000 or 10,000,000: the plan keeps 2 until the box holds one it takes".
    pub why: String,
}

impl Untyped {
    /// Longest stretch of the typed text repeated in the message.
    const SHOWN: usize = 24;

    /// A number box's text the box does not take, for `why` ("is not a whole number, …",
    /// "is below 0: …"); the plan keeps `kept`.
    pub fn number(path: String, text: String, why: &str, kept: &str) -> Untyped {
        Untyped {
            path,
            text,
            why: format!("{why}: the plan keeps {kept} until the box holds one it takes"),
        }
    }

    pub fn problem(&self) -> Problem {
        let text = self.text.trim();
        let shown = match text.char_indices().nth(Self::SHOWN) {
            Some((end, _)) => format!("{}…", &text[..end]),
            None => text.to_string(),
        };
        let said = if shown.is_empty() {
            "An empty box".to_string()
        } else {
            format!("\"{shown}\"")
        };
        Problem {
            path: self.path.clone(),
            message: format!("{said} {}", self.why),
            severity: shared::Severity::Error,
        }
    }

    /// Puts `entry` in `list` in place of the entry for its path, if any.
    pub fn note(list: &mut Vec<Untyped>, entry: Untyped) {
        match list.iter_mut().find(|u| u.path == entry.path) {
            Some(old) => *old = entry,
            None => list.push(entry),
        }
    }
}

/// How long edits must pause before the comparison is priced again.
pub const COMPARE_SETTLE: std::time::Duration = std::time::Duration::from_millis(150);

/// A price book as the server answered it.
#[derive(Clone, Debug)]
pub struct ServerBook {
    pub region: String,
    pub source: BookSource,
    /// The live book; `None` when the answer is the embedded book, which the page has.
    pub book: Option<std::sync::Arc<PriceBook>>,
    pub fetched_at: Option<String>,
    pub note: Option<String>,
}

/// The same answer: the same book (one the page holds, not an equal copy), region and notes.
impl PartialEq for ServerBook {
    fn eq(&self, other: &Self) -> bool {
        let same_book = match (&self.book, &other.book) {
            (Some(a), Some(b)) => std::sync::Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        same_book
            && self.region == other.region
            && self.source == other.source
            && self.fetched_at == other.fetched_at
            && self.note == other.note
    }
}

/// Runs `f` with the live book of `region` if the server gave one, else the embedded book.
pub fn with_book<R>(
    server: &Option<ServerBook>,
    region: &str,
    f: impl FnOnce(&PriceBook) -> R,
) -> R {
    match server
        .as_ref()
        .filter(|b| b.region == region && b.source == BookSource::Live)
        .and_then(|b| b.book.as_deref())
    {
        Some(book) => f(book),
        None => f(PriceBook::embedded()),
    }
}

/// What a share link opens: its plan, the free-tier switch it sets, and its price book with
/// the plan it priced ([`Planner::linked_book`]).
struct Linked {
    plan: Plan,
    /// Off when the link says so; on when it says how it was priced (a link the Share button
    /// made records its book); otherwise `None` (a deployed stack's plan, an embedding page's
    /// `plan`), and the switch stays as the user left it.
    free_tier: Option<bool>,
    book: Option<(Plan, String, String)>,
    /// The comparison's other side as the sharer set it.
    sides: cost::Sides,
}

/// Reads a share link's fragment.
fn open_link(hash: &str) -> Result<Linked, shared::link::LinkError> {
    let plan = shared::link::decode(hash)?;
    let book = shared::link::book_of(hash);
    let free_tier = shared::link::free_tier_of(hash);
    Ok(Linked {
        sides: shared::link::sides_of(hash),
        free_tier: (book.is_some() || !free_tier).then_some(free_tier),
        book: book.map(|(v, d)| (plan.clone(), v, d)),
        plan,
    })
}

/// A share link pasted into this tab's address bar changes only the fragment, so the page is
/// not loaded again: it opens the link's plan itself. A link that cannot be read leaves the
/// plan on the page as it is and says why.
fn follow_links(planner: Planner) {
    let Planner {
        plan,
        sides,
        free_tier,
        linked_book,
        link_error,
        loaded,
        opened_from,
        stash,
        ..
    } = planner;
    // An embedded planner keeps no drafts: its host gives plans.
    let embedded = crate::embed::EmbedMode::from_location().embedded;
    let _ = window_event_listener_untyped("hashchange", move |event| {
        // A login URL: the App took its token and put the address back; the plan stays.
        if crate::browser::event_url(&event, "newURL").is_some_and(|url| {
            url.find('#')
                .is_some_and(|at| crate::api::login_token(&url[at..]).is_some())
        }) {
            return;
        }
        let Some(hash) = crate::browser::plan_fragment() else {
            // Back to an address without a link: the plan this tab was editing there, as a
            // reload of it gives back (an edit would otherwise keep the link's plan there in
            // its place). Without one, the page keeps its plan.
            let Some(draft) = (!embedded).then(|| crate::draft::read("")).flatten() else {
                return;
            };
            link_error.set(None);
            linked_book.set(None);
            if sides.get_untracked() != cost::Sides::default() {
                sides.set(cost::Sides::default());
            }
            if free_tier.get_untracked() != draft.free_tier {
                free_tier.set(draft.free_tier);
            }
            // The other architecture's settings as that address kept them, not this one's.
            stash.set(stash_of(draft.other));
            if plan.with_untracked(|p| *p != draft.plan) {
                plan.set(draft.plan);
                loaded.update(|n| *n += 1);
            }
            opened_from.set(draft.from);
            return;
        };
        match open_link(&hash) {
            Ok(opened) => {
                link_error.set(None);
                // As a reload of the address: its draft's other architecture, if it kept one.
                if !embedded && let Some(other) = crate::draft::read(&hash).and_then(|d| d.other) {
                    stash.update(|s| keep_other(s, other));
                }
                if let Some(priced) = opened.free_tier
                    && free_tier.get_untracked() != priced
                {
                    free_tier.set(priced);
                }
                linked_book.set(opened.book);
                if sides.get_untracked() != opened.sides {
                    sides.set(opened.sides);
                }
                if plan.with_untracked(|p| *p != opened.plan) {
                    plan.set(opened.plan);
                }
                loaded.update(|n| *n += 1);
                opened_from.set(Some(LINK));
            }
            Err(e) => {
                link_error.set(Some(format!(
                    "{LINK_UNREAD}: {}. The plan on the page is unchanged.",
                    one_line(&e)
                )));
                // The address now holds the link: a reload of it gives back the page's plan,
                // not the example.
                if embedded {
                    return;
                }
                let other = planner.other_side();
                plan.with_untracked(|p| {
                    crate::draft::write(
                        &hash,
                        opened_from.get_untracked(),
                        free_tier.get_untracked(),
                        p,
                        other.as_ref(),
                    )
                });
            }
        }
    });
}

/// Keeps the plan in this tab's session storage at each edit ([`crate::draft`]), with the
/// address it was edited at.
fn keep_drafts(planner: Planner) {
    let Planner {
        plan,
        free_tier,
        opened_from,
        stash,
        ..
    } = planner;
    // Not at the page's start: a load that edits nothing leaves the draft it found (a page
    // loaded at another address, then Back, finds it again).
    Effect::new(move |started: Option<()>| {
        plan.track();
        free_tier.track();
        opened_from.track();
        stash.track();
        if started.is_none() {
            return;
        }
        let address = crate::browser::plan_fragment().unwrap_or_default();
        let (from, free_tier) = (opened_from.get(), free_tier.get());
        let other = planner.other_side();
        plan.with(|p| crate::draft::write(&address, from, free_tier, p, other.as_ref()));
    });
}

/// The stash of a draft that kept `other`: its architecture's settings, the other side empty.
fn stash_of(other: Option<Architecture>) -> (Option<Fargate>, Option<Lambda>) {
    let mut stash = (None, None);
    if let Some(other) = other {
        keep_other(&mut stash, other);
    }
    stash
}

/// Keeps `other` as the settings of its architecture for switching back.
fn keep_other(stash: &mut (Option<Fargate>, Option<Lambda>), other: Architecture) {
    match other {
        Architecture::Fargate(f) => stash.0 = Some(f),
        Architecture::Lambda(l) => stash.1 = Some(l),
    }
}

/// A plan file the user opened, and the plan it replaced, kept so that the page can put that
/// one back, and the file's again, until the banner is dismissed or another plan is opened
/// (one swap slot: a second file keeps the plan on the page when it opens, not the first
/// file's). A box's text that did not read as a number is not kept.
#[derive(Clone)]
pub struct Opened {
    /// The `loaded` count of the opening, or of the last swap: the page speaks of it while no
    /// other plan has been opened since.
    pub at: u64,
    /// The file's name.
    pub name: String,
    /// What the page says of the file's plan beyond its name: that of a template whose text is
    /// not the one the plan makes now (edited, or written by another Stackplan).
    pub note: Option<String>,
    /// The plan off the page (the one the file replaced, or the file's, with its edits, once
    /// the other is back); none when the file held the plan the page had.
    pub away: Option<Away>,
    /// Whether the page shows the file's plan (with its edits), not the one it replaced.
    pub file_shown: bool,
}

/// A plan the page does not show, with where it came from and the book its share link priced
/// it with ([`Planner::linked_book`]).
#[derive(Clone)]
pub struct Away {
    plan: Plan,
    from: Option<&'static str>,
    book: Option<(Plan, String, String)>,
}

/// How `Planner::link_error` starts for a share link that does not read (the embedding host
/// hears those, not the errors of files the user opens).
pub const LINK_UNREAD: &str = "This share link could not be opened";

/// An error as one sentence of a banner: a plan's several field errors, one per line in the
/// CLI, separated by semicolons.
pub fn one_line(error: &dyn std::fmt::Display) -> String {
    error.to_string().replace('\n', "; ")
}

/// What `Planner::opened_from` says of a share link's plan.
pub const LINK: &str = "a share link";
/// What `Planner::opened_from` says of a plan file's plan.
pub const PLAN_FILE: &str = "a plan file";

/// How long edits must pause before the address follows the plan
/// ([`Planner::address_follows_plan`]).
const ADDRESS_SETTLE: std::time::Duration = std::time::Duration::from_millis(600);

impl Planner {
    /// What a copy of the plan (`what`: "link", "file") has in place of boxes whose text the
    /// plan does not take (the plan's own values, as the cost has them), or `None` when every
    /// box reads.
    pub fn held_note(&self, what: &str) -> Option<String> {
        self.untyped.with_untracked(|u| match u.as_slice() {
            [] => None,
            [one] => Some(format!(
                "{} holds text the plan does not take: the {what} has the plan's value, as the cost does",
                self.labels
                    .with_untracked(|l| l.get(&one.path).copied())
                    .map(|label| format!("{label} ({})", one.path))
                    .or_else(|| one.path.strip_prefix("tags.").map(|key| format!("The key box of tag {key:?}")))
                    .unwrap_or_else(|| one.path.clone())
            )),
            many => Some(format!(
                "{} boxes hold text the plan does not take: the {what} has the plan's values, as the cost does",
                many.len()
            )),
        })
    }

    /// Puts the plan's link `new` (`#plan=…`) in the address bar in place of the fragment
    /// there, and moves the plan's draft with it: a reload finds the plan as the tab had it,
    /// where it came from included (an embedded planner keeps no drafts: its host gives plans).
    pub fn move_address(&self, new: &str) {
        let old = crate::browser::plan_fragment();
        crate::browser::replace_fragment(new);
        if crate::embed::EmbedMode::from_location().embedded {
            return;
        }
        if let Some(old) = old.filter(|old| old != new) {
            crate::draft::forget(&old);
        }
        let (from, free_tier) = (
            self.opened_from.get_untracked(),
            self.free_tier.get_untracked(),
        );
        let other = self.other_side();
        self.plan
            .with_untracked(|p| crate::draft::write(new, from, free_tier, p, other.as_ref()));
    }

    /// The settings kept of the architecture the plan does not have (for a draft), if any.
    fn other_side(&self) -> Option<Architecture> {
        let kind = self.plan.with_untracked(Plan::kind);
        self.stash.with_untracked(|(f, l)| match kind {
            ArchitectureKind::Fargate => l.clone().map(Architecture::Lambda),
            ArchitectureKind::Lambda => f.clone().map(Architecture::Fargate),
        })
    }

    /// The share link of the plan as it stands, priced as the page prices it: what Share
    /// gives.
    pub fn share_link(&self) -> String {
        let free_tier = self.free_tier.get_untracked();
        let book = self.estimate.with_untracked(|e| {
            e.as_ref()
                .map(|(e, _)| (e.price_book.version.clone(), e.price_book.date.clone()))
        });
        self.plan.with_untracked(|plan| {
            shared::link::link_priced(
                plan,
                &crate::browser::share_base(),
                free_tier,
                book.as_ref().map(|(v, d)| (v.as_str(), d.as_str())),
                self.sides.get_untracked(),
            )
        })
    }

    /// While the address holds a share link (the page opened one, or Share put one there), it
    /// follows the plan: once edits pause, it is the link of the plan as it stands, so an
    /// address copied from the bar, or bookmarked, shares what the page shows, not the plan
    /// the link first held. No history entry is made, and the tab's draft moves with the
    /// address. An address without a link is left as it is (the page shows the example
    /// there), and so is a plan too long for a link. Not for an embedded planner: its host
    /// owns the frame's address.
    pub fn address_follows_plan(self) {
        let pause = crate::reactive::Pause::new();
        crate::reactive::effect(move |started| {
            self.plan.track();
            self.free_tier.track();
            self.sides.track();
            if started.is_none() {
                return;
            }
            // The address the edit was made at: one that changes meanwhile (a link the user
            // went to, whose `hashchange` comes a task later) is theirs, not rewritten.
            let at_edit = crate::browser::plan_fragment();
            pause.then(ADDRESS_SETTLE, move || {
                let Some(old) = crate::browser::plan_fragment() else {
                    return;
                };
                if at_edit.as_deref() != Some(old.as_str()) {
                    return;
                }
                // A link that does not read stays for the user to mend (its message is over
                // the page). The link's own plan (just opened, or edited back) keeps the
                // address as its sharer wrote it, the book they priced it with included; a
                // link that says nothing of its pricing (a deployed stack's) is that plan's
                // whatever the free-tier switch.
                let Ok(linked) = open_link(&old) else {
                    return;
                };
                let same = self.plan.with_untracked(|p| *p == linked.plan)
                    && self.sides.get_untracked() == linked.sides
                    && linked
                        .free_tier
                        .is_none_or(|priced| priced == self.free_tier.get_untracked());
                if same || self.plan.with_untracked(shared::link::too_long).is_some() {
                    return;
                }
                let url = self.share_link();
                let Some((_, fragment)) = url.split_once('#') else {
                    return;
                };
                let new = format!("#{fragment}");
                if new == old {
                    return;
                }
                self.move_address(&new);
            });
        });
    }

    /// Opens the plan of a file the user chose, `name`, keeping the plan it replaces.
    pub fn open_file(&self, name: String, plan: Plan, note: Option<String>) {
        let replaced = self.on_page();
        let away = self.plan.with_untracked(|p| *p != plan).then_some(replaced);
        self.show(Away {
            plan,
            from: Some(PLAN_FILE),
            book: None,
        });
        self.opened.set(Some(Opened {
            at: self.loaded.get_untracked(),
            name,
            note,
            away,
            file_shown: true,
        }));
    }

    /// Shows the plan [`Opened`] keeps off the page, and keeps the one the page had instead.
    pub fn swap_opened(&self) {
        let Some(mut opened) = self.opened.get_untracked() else {
            return;
        };
        let Some(away) = opened.away.replace(self.on_page()) else {
            return;
        };
        self.show(away);
        opened.file_shown = !opened.file_shown;
        opened.at = self.loaded.get_untracked();
        self.opened.set(Some(opened));
    }

    fn on_page(&self) -> Away {
        Away {
            plan: self.plan.get_untracked(),
            from: self.opened_from.get_untracked(),
            book: self.linked_book.get_untracked(),
        }
    }

    /// Puts `plan` on the page as a plan opened whole: every box shows its value.
    fn show(&self, Away { plan, from, book }: Away) {
        self.link_error.set(None);
        self.linked_book.set(book);
        self.plan.set(plan);
        self.loaded.update(|n| *n += 1);
        self.opened_from.set(from);
    }

    pub fn new() -> Self {
        // A link's plan, and whether its sharer counted the free tier.
        let address = crate::browser::plan_fragment();
        let link = address.as_deref().map(open_link);
        // The comparison's other side as the link's sharer set it (a reload of this tab's own
        // link too, whose address follows the page).
        let linked_sides = match &link {
            Some(Ok(opened)) => opened.sides,
            _ => cost::Sides::default(),
        };
        // What this tab was editing at this address before a reload. Not inside another page:
        // that page gives the plan.
        let embedded = crate::embed::EmbedMode::from_location().embedded;
        let draft = (!embedded)
            .then(|| crate::draft::read(address.as_deref().unwrap_or_default()))
            .flatten();
        // Any readable link counts, this tab's own reloaded too: the page cannot tell them apart.
        let mut opened_from = matches!(link, Some(Ok(_))).then_some(LINK);
        let (initial, free_tier, linked_book, link_error) = match link {
            Some(Ok(opened)) => (
                opened.plan,
                opened.free_tier.unwrap_or(true),
                opened.book,
                None,
            ),
            Some(Err(e)) => (
                examples::fargate(),
                true,
                None,
                Some(format!(
                    "{LINK_UNREAD}: {}. Showing the example plan instead.",
                    one_line(&e)
                )),
            ),
            None => (examples::fargate(), true, None, None),
        };
        // The draft wins over the link it was edited from (the link's book is kept: it names
        // the plan it priced, and counts only for that plan).
        // A link that does not read, edited at (the page kept its plan, and said so then): the
        // draft is the page's plan, and the link's message is old news.
        let mut stash = (None, None);
        let (initial, free_tier, link_error) = match draft {
            Some(draft) => {
                opened_from = draft.from;
                stash = stash_of(draft.other);
                (draft.plan, draft.free_tier, None)
            }
            None => (initial, free_tier, link_error),
        };
        let stash = RwSignal::new(stash);
        let plan = RwSignal::new(initial);
        let free_tier = RwSignal::new(free_tier);
        let linked_book = RwSignal::new(linked_book);
        let link_error = RwSignal::new(link_error);
        let loaded = RwSignal::new(0u64);
        let opened_from = RwSignal::new(opened_from);
        let sides = RwSignal::new(linked_sides);
        let kind = crate::reactive::memo(move |_| plan.with(Plan::kind));
        // One validation per edit: the problems (with the template-size check `ValidPlan::new`
        // adds) and the valid plan both come from it.
        let checked = crate::reactive::memo(move |_| ValidPlan::new(plan.get()));
        let untyped = RwSignal::new(Vec::<Untyped>::new());
        let problems = crate::reactive::memo(move |_| {
            let mut problems = checked.with(|c| match c {
                Ok(valid) => valid.warnings().to_vec(),
                Err(problems) => problems.clone(),
            });
            untyped.with(|u| {
                // A box holding text the plan does not take is said once, for what it holds:
                // not also for the value the plan kept, which the box no longer shows.
                problems.retain(|p| !u.iter().any(|e| e.path == p.path));
                problems.extend(u.iter().map(Untyped::problem));
            });
            problems
        });
        let valid = crate::reactive::memo(move |_| checked.with(|c| c.as_ref().ok().cloned()));
        // Whether every box's text is in the plan: a memo, so that typing on in a box that
        // holds text the plan does not take prices and renders nothing again, only a flip does.
        let all_typed = crate::reactive::memo(move |_| untyped.with(Vec::is_empty));
        // The tab keeps the format chosen, as it keeps the draft; an embedded planner keeps
        // nothing.
        let format = RwSignal::new(
            (!embedded)
                .then(crate::draft::read_format)
                .flatten()
                .unwrap_or(Format::Json),
        );
        if !embedded {
            crate::reactive::effect(move |started| {
                let format = format.get();
                if started.is_some() {
                    crate::draft::write_format(format);
                }
            });
        }
        let server_book = RwSignal::new(None::<ServerBook>);
        let pricing = crate::reactive::memo(move |_| {
            server_book.with(|sb| sb.clone().filter(|b| b.source == BookSource::Live))
        });
        // The plan's architecture: an invalid plan keeps showing the last valid plan's cost,
        // template and diagram only if that plan had the same architecture (the Lambda card
        // never shows the Fargate plan's figures).
        let estimate = crate::reactive::memo(move |prev: Option<&Option<(Estimate, bool)>>| {
            let options = cost::Options {
                free_tier: free_tier.get(),
            };
            let kind = kind.get();
            pricing.with(|sb| {
                valid.with(|v| match v {
                    // A box whose text the plan does not take (yet) makes the plan's value
                    // shown not the one on the screen: the cost is marked as the last valid
                    // plan's, as for any other problem.
                    Some(v) => Some((
                        with_book(sb, v.region.code(), |b| cost::estimate(v, b, options)),
                        all_typed.get(),
                    )),
                    None => prev
                        .cloned()
                        .flatten()
                        .filter(|(e, _)| e.architecture == kind.as_str())
                        .map(|(e, _)| (e, false)),
                })
            })
        });
        let changed_lines = crate::reactive::memo(move |_| {
            let live = pricing.with(Option::is_some);
            estimate.with(|e| match (e, live) {
                (Some((e, _)), true) => valid.with_untracked(|v| match v {
                    Some(v) => {
                        let options = cost::Options {
                            free_tier: free_tier.get_untracked(),
                        };
                        let embedded = cost::estimate(v, PriceBook::embedded(), options);
                        e.lines
                            .iter()
                            .zip(&embedded.lines)
                            // A price the live book lacks is unknown, said so on its line
                            // with why; "changed" is for a price that moved.
                            .map(|(l, b)| l.unit_usd.is_some() && l.unit_usd != b.unit_usd)
                            .collect()
                    }
                    None => Vec::new(),
                }),
                _ => Vec::new(),
            })
        });
        // Ask the server for the region's book; without a server the embedded one stays.
        follow_book(plan, server_book);
        // Shared, so that passing the template on costs no copy.
        let generated = crate::reactive::memo(move |_| {
            valid.with(|v| v.as_ref().map(|v| Arc::new(template::generate(v))))
        });
        // The last valid plan's template: an invalid plan keeps showing it, in either format.
        let last_generated = crate::reactive::memo(
            move |prev: Option<&Option<(ArchitectureKind, Arc<template::Template>)>>| {
                let kind = kind.get();
                generated
                    .get()
                    .map(|t| (kind, t))
                    .or_else(|| prev.cloned().flatten().filter(|(k, _)| *k == kind))
            },
        );
        let template = crate::reactive::memo(move |_| {
            let format = format.get();
            let current = generated.with(Option::is_some) && all_typed.get();
            last_generated.with(|t| {
                t.as_ref()
                    .map(|(_, t)| (t.render(format), t.resources().len(), current))
            })
        });
        let template_parameters = crate::reactive::memo(move |_| {
            last_generated.with(|t| {
                t.as_ref().map(|(_, t)| {
                    t.tree().get("Parameters").cloned().unwrap_or_else(|| {
                        shared::template::Node::Object(shared::template::Object::new())
                    })
                })
            })
        });
        // The diagram is built in the edit's own frame, like the cost and the template: it
        // takes about a millisecond, while the template's colours and the comparison follow on
        // later tasks.
        // The laid-out diagram of the last valid plan's template: the picture and its text are
        // both written from it, so it is laid out once per template.
        let layout = crate::reactive::memo(move |_| {
            last_generated.with(|t| {
                t.as_ref()
                    .map(|(_, t)| Arc::new(shared::topology::build(t)))
            })
        });
        // An invalid plan keeps the last valid plan's diagram.
        let topology = crate::reactive::memo(move |prev: Option<&Option<String>>| {
            if generated.with(Option::is_none) {
                return prev
                    .cloned()
                    .flatten()
                    .filter(|_| last_generated.with(Option::is_some));
            }
            layout.with(|l| {
                let l = l.as_ref()?;
                estimate.with(|e| {
                    let e = e.as_ref().map(|(e, _)| e);
                    Some(l.to_svg(&|ty, n| e.and_then(|e| cost::node_cost_text(e, ty, n))))
                })
            })
        });
        let topology_text_open = RwSignal::new(false);
        // From the last valid plan's template, as the picture is: opened while the plan is
        // invalid, it still shows what the picture shows.
        let topology_text = crate::reactive::memo(move |_| {
            if !topology_text_open.get() {
                return None;
            }
            layout.with(|l| {
                let l = l.as_ref()?;
                estimate.with(|e| {
                    let e = e.as_ref().map(|(e, _)| e);
                    Some(l.to_text_html(&|ty, n| e.and_then(|e| cost::node_cost_text(e, ty, n))))
                })
            })
        });
        // The checklist (a secondary view) follows on the next task, like the template's
        // colours: an edit's cost, template and diagram do not wait for it. The page's first
        // one is not delayed.
        let controls = RwSignal::new(Vec::<Check>::new());
        // The last valid plan and its template, for an invalid plan's list.
        let last_valid = StoredValue::new(None::<(ValidPlan, Arc<template::Template>)>);
        let judge = move || {
            generated.with_untracked(|t| match (t, valid.get_untracked()) {
                (Some(t), Some(v)) => controls::checklist(&v, t),
                // A governed plan is invalid until it gives what only the user can: judge it
                // as it stands, by its own template. Any other invalid plan keeps the last
                // valid plan's list, if that plan was of its architecture: the other's checks
                // (and their fixes) are not this plan's, so there is none until it is valid.
                _ => plan.with_untracked(|p| {
                    p.governed
                        .then(|| controls::checklist_as_it_stands(p))
                        .flatten()
                        .or_else(|| {
                            last_valid.with_value(|l| {
                                l.as_ref()
                                    .filter(|(v, _)| v.kind() == p.kind())
                                    .map(|(v, t)| controls::checklist(v, t))
                            })
                        })
                        .unwrap_or_default()
                }),
            })
        };
        let judged = StoredValue::new(0u64);
        crate::reactive::effect(move |ran: Option<()>| {
            plan.track();
            if let (Some(t), Some(v)) = (generated.get(), valid.get_untracked()) {
                last_valid.set_value(Some((v, t)));
            }
            judged.update_value(|g| *g += 1);
            let mine = judged.get_value();
            let set = move || {
                if judged.get_value() == mine {
                    let list = judge();
                    if controls.with_untracked(|c| *c != list) {
                        controls.set(list);
                    }
                }
            };
            if ran.is_none() {
                set();
            } else {
                set_timeout(set, std::time::Duration::ZERO);
            }
        });
        // The comparison (65 priced points and a bisection, a few milliseconds) waits until the
        // edits pause: while a slider is dragged or a number typed, each edit's cost, template
        // and diagram get the whole frame, and the comparison follows once, at the end. The
        // first one (an opened page) is not delayed.
        let comparison = RwSignal::new(None::<Comparison>);
        let comparing = RwSignal::new(false);
        let compared_kind = RwSignal::new(kind.get_untracked());
        let pause = crate::reactive::Pause::new();
        crate::reactive::effect(move |_| {
            let options = cost::Options {
                free_tier: free_tier.get(),
            };
            let chosen = sides.get();
            // A live book arriving prices the comparison again (the embedded one priced the
            // first).
            pricing.track();
            let now = kind.get();
            let Some(plan) = valid.get() else {
                // An invalid plan keeps the last comparison of its own architecture; the
                // other's ("Fargate, your plan" on the Lambda card) goes until it is valid.
                if compared_kind.get_untracked() != now
                    && comparison.with_untracked(Option::is_some)
                {
                    comparison.set(None);
                }
                return;
            };
            if !comparing.get_untracked() {
                comparing.set(true);
            }
            let settle = if comparison.with_untracked(Option::is_none) {
                std::time::Duration::ZERO
            } else {
                COMPARE_SETTLE
            };
            pause.then(settle, move || {
                // Switched to the other architecture meanwhile: this plan is no longer the
                // page's, and its comparison is not shown on the other's card.
                if kind.get_untracked() != plan.kind() {
                    comparing.set(false);
                    return;
                }
                let c = pricing.with_untracked(|sb| {
                    with_book(sb, plan.region.code(), |b| {
                        cost::compare(&plan, b, options, chosen)
                    })
                });
                comparison.set(Some(c));
                compared_kind.set(plan.kind());
                comparing.set(false);
            });
        });
        let planner = Planner {
            plan,
            link_error,
            opened: RwSignal::new(None),
            linked_book,
            stash,
            kept: Kept::default(),
            kind,
            loaded,
            opened_from,
            untyped,
            labels: RwSignal::new(std::collections::BTreeMap::new()),
            problems,
            valid,
            free_tier,
            format,
            estimate,
            comparison,
            compared_kind,
            comparing,
            sides,
            topology,
            topology_text_open,
            topology_text,
            template,
            template_parameters,
            server_book,
            pricing,
            changed_lines,
            controls,
        };
        if !embedded {
            keep_drafts(planner);
        }
        follow_links(planner);
        planner
    }

    /// Switches architecture, keeping the settings of the one left behind.
    pub fn switch(&self, to: ArchitectureKind) {
        if self.kind.get_untracked() == to {
            return;
        }
        let stash = self.stash;
        self.plan.update(|p| {
            let next = match (&p.architecture, to) {
                (Architecture::Fargate(f), ArchitectureKind::Lambda) => {
                    let l = stash.with_untracked(|s| s.1.clone()).unwrap_or_else(|| {
                        examples::lambda()
                            .lambda()
                            .cloned()
                            .expect("the Lambda example is Lambda")
                    });
                    stash.update(|s| s.0 = Some(f.clone()));
                    Architecture::Lambda(l)
                }
                (Architecture::Lambda(l), ArchitectureKind::Fargate) => {
                    let f = stash.with_untracked(|s| s.0.clone()).unwrap_or_else(|| {
                        examples::fargate()
                            .fargate()
                            .cloned()
                            .expect("the Fargate example is Fargate")
                    });
                    stash.update(|s| s.1 = Some(l.clone()));
                    Architecture::Fargate(f)
                }
                _ => return,
            };
            p.architecture = next;
        });
    }

    /// Edits the Fargate settings (no-op on a Lambda plan).
    pub fn fargate(&self, edit: impl FnOnce(&mut Fargate)) {
        self.plan.update(|p| {
            if let Architecture::Fargate(f) = &mut p.architecture {
                edit(f);
            }
        });
    }

    /// Edits the Lambda settings (no-op on a Fargate plan).
    pub fn lambda(&self, edit: impl FnOnce(&mut Lambda)) {
        self.plan.update(|p| {
            if let Architecture::Lambda(l) = &mut p.architecture {
                edit(l);
            }
        });
    }

    /// Reads a Fargate setting (a default on a Lambda plan, which never shows Fargate fields).
    pub fn read_fargate<T: Default>(&self, read: impl FnOnce(&Fargate) -> T) -> T {
        self.plan
            .with(|p| p.fargate().map(read).unwrap_or_default())
    }

    pub fn read_lambda<T: Default>(&self, read: impl FnOnce(&Lambda) -> T) -> T {
        self.plan.with(|p| p.lambda().map(read).unwrap_or_default())
    }
}

impl Default for Planner {
    fn default() -> Self {
        Self::new()
    }
}

/// The planner from context.
pub fn use_planner() -> Planner {
    expect_context::<Planner>()
}

/// Keeps `server_book` the server's book for `plan`'s region: asked again when the region
/// changes; an answer for a region the plan has left since is dropped.
pub fn follow_book(plan: RwSignal<Plan>, server_book: RwSignal<Option<ServerBook>>) {
    let region = crate::reactive::memo(move |_| plan.with(|p| p.region.code().to_string()));
    crate::reactive::effect(move |_| {
        let asked = region.get();
        leptos::task::spawn_local(async move {
            if let Some(book) = fetch_book(&asked).await
                && region.with_untracked(|r| *r == asked)
            {
                server_book.set(Some(book));
            }
        });
    });
}

/// `GET /api/prices/{region}` of the page's server; `None` when there is none or it fails.
async fn fetch_book(region: &str) -> Option<ServerBook> {
    let client = crate::api::Client::of_page(None);
    if !client.has_server() {
        return None;
    }
    let answer = client.prices(region).await.ok()?;
    // The embedded book is the page's own: the server does not send it.
    let book = match answer.source {
        BookSource::Live => Some(std::sync::Arc::new(
            PriceBook::parse_tsv(answer.book_tsv.as_deref()?, cost::Origin::Live).ok()?,
        )),
        BookSource::Embedded => None,
    };
    Some(ServerBook {
        region: answer.region,
        source: answer.source,
        book,
        fetched_at: answer.fetched_at,
        note: answer.note,
    })
}
