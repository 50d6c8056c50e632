//! The template's own JSON tree: what `serde_json::Value` holds, built for a document that is
//! generated once, written out and read a little.
//!
//! A `Value` object is an `IndexMap`: its own hash table, a `String` per key, a SipHash per
//! insert. A template has a few hundred small objects whose keys are nearly all literals, so
//! building and dropping one was mostly the allocator's work. Here an object is a vector of
//! entries in order, and a key or a string is a `Cow<'static, str>` that borrows the literals.
//! The read API follows `Value`'s (`tree["Key"]`, `as_str`, `get`, …) so that code reading a
//! template reads the same; [`Node::to_value`] gives the `serde_json::Value` where one is needed
//! (tests comparing with parsed output).

use std::borrow::Cow;
use std::fmt;
use std::ops::{Index, IndexMut};

use serde_json::{Number, Value};

/// A key or string: borrowed when it is a literal, owned when it was made.
pub type Text = Cow<'static, str>;

/// A JSON value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Node {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(Text),
    Array(Array),
    Object(Object),
}

/// A JSON object: its entries in order, each key once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Object {
    entries: Vec<(Text, Node)>,
}

static NULL: Node = Node::Null;

/// A JSON array: its items in order. It reads as the `Vec` it holds.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Array(Vec<Node>);

/// As the `Vec` it holds: `Array([1, 2])` in a node's debug form, not `Array(Array([1, 2]))`.
impl fmt::Debug for Array {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The vectors of the objects and arrays a thread let go, kept for the next ones of their size.
///
/// A template is a few hundred small objects and arrays (in the Fargate example 230 objects of
/// one entry, 166 of two, 140 arrays of one or two items), built and then dropped whole, at
/// each request (server) or edit (browser). Given back to the allocator one by one they filled
/// glibc's small-chunk lists past its per-thread cache, and the next template's first large
/// allocation merged them all (`malloc_consolidate`) before handing them out again one by one:
/// about a tenth of generating a template. Kept here, a dropped object's vector is the next
/// one's, with no call to the allocator either way.
///
/// Only vectors of capacity 1 to [`CLASSES`] are kept, each with the others of its capacity
/// (so one taken is exactly the size asked for), at most [`KEPT`] of a capacity. That bounds
/// a thread's lists at 256 × (1 + … + 8) slots of 56-byte entries and of 32-byte items (on a
/// 64-bit target), 792 KiB, under 1 MiB with the allocator's headers and the lists
/// themselves. In practice they hold about what one template lets go: after the Fargate
/// example, 60 KB of entries and 9 KB of items. A vector is emptied before it is kept: the
/// values it held are dropped as they were before.
mod pool {
    use std::cell::RefCell;
    use std::thread::LocalKey;

    use super::{Node, Text};

    /// Capacities kept: 1 to `CLASSES`.
    pub(super) const CLASSES: usize = 8;
    /// Vectors kept of each capacity.
    pub(super) const KEPT: usize = 256;

    /// Kept vectors, by capacity (index `capacity - 1`).
    pub(super) type Free<T> = RefCell<[Vec<Vec<T>>; CLASSES]>;

    thread_local! {
        pub(super) static ENTRIES: Free<(Text, Node)> =
            const { RefCell::new([const { Vec::new() }; CLASSES]) };
        pub(super) static ITEMS: Free<Node> =
            const { RefCell::new([const { Vec::new() }; CLASSES]) };
    }

    /// An empty vector of capacity `n` (at least), kept or new.
    pub(super) fn take<T: 'static>(free: &'static LocalKey<Free<T>>, n: usize) -> Vec<T> {
        if (1..=CLASSES).contains(&n)
            // `try_with` fails only while the thread's own values are dropped at its exit.
            && let Ok(Some(kept)) = free.try_with(|f| f.borrow_mut()[n - 1].pop())
        {
            return kept;
        }
        Vec::with_capacity(n)
    }

    /// Drops `v`'s values, then keeps the vector if there is room for it.
    pub(super) fn give<T: 'static>(free: &'static LocalKey<Free<T>>, mut v: Vec<T>) {
        // Before borrowing the lists: dropping a value gives its own vectors back.
        v.clear();
        let capacity = v.capacity();
        if (1..=CLASSES).contains(&capacity) {
            let _ = free.try_with(|f| {
                let class = &mut f.borrow_mut()[capacity - 1];
                if class.len() < KEPT {
                    class.push(v);
                }
            });
        }
    }
}

impl Drop for Object {
    fn drop(&mut self) {
        pool::give(&pool::ENTRIES, std::mem::take(&mut self.entries));
    }
}

impl Drop for Array {
    fn drop(&mut self) {
        pool::give(&pool::ITEMS, std::mem::take(&mut self.0));
    }
}

impl Array {
    /// An array of `items`, in a kept vector when there is one of their number.
    pub(crate) fn from_items<const N: usize>(items: [Node; N]) -> Self {
        let mut v = pool::take(&pool::ITEMS, N);
        v.extend(items);
        Array(v)
    }
}

impl std::ops::Deref for Array {
    type Target = Vec<Node>;

    fn deref(&self) -> &Vec<Node> {
        &self.0
    }
}

impl std::ops::DerefMut for Array {
    fn deref_mut(&mut self) -> &mut Vec<Node> {
        &mut self.0
    }
}

impl FromIterator<Node> for Array {
    fn from_iter<I: IntoIterator<Item = Node>>(iter: I) -> Self {
        Array(iter.into_iter().collect())
    }
}

impl<'a> IntoIterator for &'a Array {
    type Item = &'a Node;
    type IntoIter = std::slice::Iter<'a, Node>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl Object {
    pub fn new() -> Self {
        Object::default()
    }

    pub fn with_capacity(n: usize) -> Self {
        Object {
            entries: pool::take(&pool::ENTRIES, n),
        }
    }

    /// An object of `keys` and `values` in order; the keys are distinct.
    pub(crate) fn from_keys<const N: usize>(
        keys: &'static [&'static str; N],
        values: [Node; N],
    ) -> Self {
        let mut entries = pool::take(&pool::ENTRIES, N);
        entries.extend(keys.iter().zip(values).map(|(k, v)| (Cow::Borrowed(*k), v)));
        Object::from_distinct(entries)
    }

    /// An object of `entries`, whose keys the caller knows to be distinct (`json!` checks its
    /// objects' keys when the crate compiles).
    pub(crate) fn from_distinct(entries: Vec<(Text, Node)>) -> Self {
        debug_assert!(
            entries
                .iter()
                .enumerate()
                .all(|(i, (k, _))| entries[..i].iter().all(|(other, _)| other != k)),
            "repeated key"
        );
        Object { entries }
    }

    /// An object of `entries`, in their order; a repeated key keeps its first place and takes
    /// the last value (as `serde_json::json!` has it).
    pub fn from_entries(mut entries: Vec<(Text, Node)>) -> Self {
        let mut i = 1;
        while i < entries.len() {
            if let Some(first) = entries[..i].iter().position(|(k, _)| *k == entries[i].0) {
                let (_, value) = entries.remove(i);
                entries[first].1 = value;
            } else {
                i += 1;
            }
        }
        Object { entries }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` to `value`: in its place if it is there, else at the end (as `IndexMap`
    /// does). Returns the value it replaced.
    pub fn insert(&mut self, key: impl Into<Text>, value: Node) -> Option<Node> {
        let key = key.into();
        match self.get_mut(&key) {
            Some(slot) => Some(std::mem::replace(slot, value)),
            None => {
                self.entries.push((key, value));
                None
            }
        }
    }

    /// Sets `key` to `value` right after the entry `after` (at the end without it). An entry
    /// with `key` already there is taken out first, wherever it was, so the key ends up after
    /// `after` with the new value.
    pub fn insert_after(&mut self, after: &str, key: impl Into<Text>, value: Node) {
        let key = key.into();
        self.entries.retain(|(k, _)| *k != key);
        let at = self
            .entries
            .iter()
            .position(|(k, _)| k == after)
            .map_or(self.entries.len(), |i| i + 1);
        self.entries.insert(at, (key, value));
    }

    /// The value of `key`, inserted by `make` if it is missing.
    pub fn get_or_insert_with(
        &mut self,
        key: impl Into<Text>,
        make: impl FnOnce() -> Node,
    ) -> &mut Node {
        let key = key.into();
        let at = match self.entries.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                self.entries.push((key, make()));
                self.entries.len() - 1
            }
        };
        &mut self.entries[at].1
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Node)> + DoubleEndedIterator {
        self.entries.iter().map(|(k, v)| (&**k, v))
    }

    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> + DoubleEndedIterator {
        self.entries.iter().map(|(k, _)| &**k)
    }

    pub fn values(&self) -> impl ExactSizeIterator<Item = &Node> + DoubleEndedIterator {
        self.entries.iter().map(|(_, v)| v)
    }
}

impl<'a> IntoIterator for &'a Object {
    type Item = (&'a str, &'a Node);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (Text, Node)>,
        fn(&'a (Text, Node)) -> (&'a str, &'a Node),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (&**k, v))
    }
}

impl IntoIterator for Object {
    type Item = (Text, Node);
    type IntoIter = std::vec::IntoIter<(Text, Node)>;

    fn into_iter(mut self) -> Self::IntoIter {
        std::mem::take(&mut self.entries).into_iter()
    }
}

impl<K: Into<Text>> FromIterator<(K, Node)> for Object {
    fn from_iter<I: IntoIterator<Item = (K, Node)>>(iter: I) -> Self {
        Object::from_entries(iter.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

impl<K: Into<Text>> Extend<(K, Node)> for Object {
    /// Inserts each entry as [`Object::insert`] does.
    fn extend<I: IntoIterator<Item = (K, Node)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

/// An array of the items.
impl FromIterator<Node> for Node {
    fn from_iter<I: IntoIterator<Item = Node>>(iter: I) -> Self {
        Node::Array(iter.into_iter().collect())
    }
}

/// An object of the entries.
impl<K: Into<Text>> FromIterator<(K, Node)> for Node {
    fn from_iter<I: IntoIterator<Item = (K, Node)>>(iter: I) -> Self {
        Node::Object(iter.into_iter().collect())
    }
}

impl Index<&str> for Object {
    type Output = Node;

    /// The value of `key`, or null.
    fn index(&self, key: &str) -> &Node {
        self.get(key).unwrap_or(&NULL)
    }
}

impl Node {
    /// The value of `key` if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_object().and_then(|o| o.get(key))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Node::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Node::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Node::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Node::Number(n) => n.as_f64(),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Vec<Node>> {
        match self {
            Node::Array(a) => Some(&a.0),
            _ => None,
        }
    }

    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Node>> {
        match self {
            Node::Array(a) => Some(&mut a.0),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Node::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn as_object_mut(&mut self) -> Option<&mut Object> {
        match self {
            Node::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Node::Null)
    }

    pub fn is_array(&self) -> bool {
        matches!(self, Node::Array(_))
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Node::Object(_))
    }

    pub fn is_u64(&self) -> bool {
        self.as_u64().is_some()
    }

    pub fn is_string(&self) -> bool {
        matches!(self, Node::String(_))
    }

    /// The same value as a `serde_json::Value`.
    pub fn to_value(&self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Number(n) => Value::Number(n.clone()),
            Node::String(s) => Value::String(s.to_string()),
            Node::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Node::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, v)| (k.to_owned(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

impl From<Value> for Node {
    fn from(value: Value) -> Self {
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(b),
            Value::Number(n) => Node::Number(n),
            Value::String(s) => Node::String(Cow::Owned(s)),
            Value::Array(items) => Node::Array(items.into_iter().map(Node::from).collect()),
            Value::Object(map) => Node::Object(Object {
                entries: map
                    .into_iter()
                    .map(|(k, v)| (Cow::Owned(k), Node::from(v)))
                    .collect(),
            }),
        }
    }
}

impl From<&Node> for Value {
    fn from(node: &Node) -> Self {
        node.to_value()
    }
}

impl Index<&str> for Node {
    type Output = Node;

    /// The value of `key`, or null if this is not an object or has no such key.
    fn index(&self, key: &str) -> &Node {
        self.get(key).unwrap_or(&NULL)
    }
}

impl IndexMut<&str> for Node {
    /// The value of `key`, inserted as null if it is missing; a null becomes an object first.
    ///
    /// # Panics
    /// If this is neither an object nor null.
    fn index_mut(&mut self, key: &str) -> &mut Node {
        if self.is_null() {
            *self = Node::Object(Object::new());
        }
        match self {
            Node::Object(o) => o.get_or_insert_with(key.to_owned(), || Node::Null),
            other => panic!("cannot index {other:?} with {key:?}"),
        }
    }
}

impl Index<usize> for Node {
    type Output = Node;

    /// The `i`th item, or null if this is not an array or is shorter.
    fn index(&self, i: usize) -> &Node {
        self.as_array().and_then(|a| a.get(i)).unwrap_or(&NULL)
    }
}

impl PartialEq<str> for Node {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for Node {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl PartialEq<String> for Node {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == Some(other.as_str())
    }
}

impl PartialEq<bool> for Node {
    fn eq(&self, other: &bool) -> bool {
        self.as_bool() == Some(*other)
    }
}

impl PartialEq<i64> for Node {
    fn eq(&self, other: &i64) -> bool {
        self.as_i64() == Some(*other)
    }
}

impl PartialEq<i32> for Node {
    fn eq(&self, other: &i32) -> bool {
        self.as_i64() == Some(i64::from(*other))
    }
}

impl PartialEq<u64> for Node {
    fn eq(&self, other: &u64) -> bool {
        self.as_u64() == Some(*other)
    }
}

impl PartialEq<Value> for Node {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Node::Null, Value::Null) => true,
            (Node::Bool(a), Value::Bool(b)) => a == b,
            (Node::Number(a), Value::Number(b)) => a == b,
            (Node::String(a), Value::String(b)) => a == b,
            (Node::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
            }
            (Node::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|((ka, va), (kb, vb))| ka == kb && va == vb)
            }
            _ => false,
        }
    }
}

/// Compact JSON, as `serde_json::Value` displays itself.
impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::format::compact(self))
    }
}

impl serde::Serialize for Node {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            Node::Null => s.serialize_unit(),
            Node::Bool(b) => s.serialize_bool(*b),
            Node::Number(n) => n.serialize(s),
            Node::String(text) => s.serialize_str(text),
            Node::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Node::Object(o) => {
                let mut map = s.serialize_map(Some(o.len()))?;
                for (k, v) in o {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::json_macro::json;

    fn text(s: &'static str) -> Text {
        Cow::Borrowed(s)
    }

    /// How many vectors of each capacity the thread keeps, objects' then arrays', and whether
    /// every one of them is empty.
    fn kept() -> (Vec<usize>, Vec<usize>, bool) {
        let entries = pool::ENTRIES.with_borrow(|f| {
            (
                f.iter().map(Vec::len).collect(),
                f.iter().flatten().all(Vec::is_empty),
            )
        });
        let items = pool::ITEMS.with_borrow(|f| {
            (
                f.iter().map(Vec::len).collect(),
                f.iter().flatten().all(Vec::is_empty),
            )
        });
        (entries.0, items.0, entries.1 && items.1)
    }

    /// Runs `f` on a thread of its own, whose pool starts empty.
    #[expect(
        clippy::disallowed_methods,
        reason = "the pool is per thread: a test of it needs a thread whose pool is its own"
    )]
    fn on_a_new_thread(f: impl FnOnce() + Send + 'static) {
        std::thread::spawn(f).join().expect("the test's thread");
    }

    #[test]
    fn a_dropped_vector_is_the_next_one_of_its_size() {
        on_a_new_thread(|| {
            let first = json!({ "A": 1, "B": [true, "two"] });
            let entries_at = first.as_object().unwrap().entries.as_ptr();
            let items_at = first["B"].as_array().unwrap().as_ptr();
            drop(first);
            assert_eq!(
                kept().0,
                [0, 1, 0, 0, 0, 0, 0, 0],
                "the object's two entries"
            );
            assert_eq!(kept().1, [0, 1, 0, 0, 0, 0, 0, 0], "the array's two items");

            // Another size does not take it…
            let three = json!({ "X": null, "Y": [1, 2, 3], "Z": {} });
            assert_ne!(three.as_object().unwrap().entries.as_ptr(), entries_at);
            assert_ne!(three["Y"].as_array().unwrap().as_ptr(), items_at);
            // …the same size does, and the value is the new one's.
            let second = json!({ "C": "c", "D": [null, 4] });
            assert_eq!(second.as_object().unwrap().entries.as_ptr(), entries_at);
            assert_eq!(second["D"].as_array().unwrap().as_ptr(), items_at);
            assert_eq!(second.to_string(), r#"{"C":"c","D":[null,4]}"#);
            assert_eq!(kept().0, [0; pool::CLASSES]);
            assert_eq!(kept().1, [0; pool::CLASSES]);
            drop((second, three));
            // An empty object or array has no vector to keep.
            assert_eq!(kept().0, [0, 1, 1, 0, 0, 0, 0, 0]);
            assert_eq!(kept().1, [0, 1, 1, 0, 0, 0, 0, 0]);
        });
    }

    #[test]
    fn kept_vectors_are_empty_and_no_more_than_the_bound() {
        on_a_new_thread(|| {
            let made = pool::KEPT + 40;
            // A deep tree: an object of arrays of objects, every string owned.
            let tree: Node = (0..made)
                .map(|i| {
                    let name = format!("item-{i}");
                    (name.clone(), json!([{ "Name": name, "Index": i }]))
                })
                .collect();
            assert_eq!(tree.as_object().unwrap().len(), made);
            drop(tree);
            let (entries, items, all_empty) = kept();
            assert!(all_empty, "a kept vector holds nothing of the tree");
            assert_eq!(
                entries[1],
                pool::KEPT,
                "objects of two entries, up to the bound"
            );
            assert_eq!(items[0], pool::KEPT, "arrays of one item, up to the bound");
            // The outer object, of 296 entries, is larger than any kept capacity: it went back
            // to the allocator.
            assert_eq!(entries.iter().sum::<usize>(), pool::KEPT);
            assert_eq!(items.iter().sum::<usize>(), pool::KEPT);
        });
    }

    #[test]
    fn a_value_dropped_as_its_thread_ends_is_let_go() {
        /// A tree dropped among its thread's own values, after the pool's lists: it says so
        /// first, so that the test cannot pass without reaching that case.
        struct DroppedAfterThePool {
            _tree: Node,
        }
        impl Drop for DroppedAfterThePool {
            fn drop(&mut self) {
                assert!(
                    pool::ENTRIES.try_with(|_| ()).is_err()
                        && pool::ITEMS.try_with(|_| ()).is_err(),
                    "the pool's lists are gone before this value"
                );
                // Then the tree goes: its vectors back to the allocator, and nothing panics.
            }
        }
        thread_local! {
            static LAST: std::cell::RefCell<Option<DroppedAfterThePool>> =
                const { std::cell::RefCell::new(None) };
        }
        // A thread's values are dropped in the reverse of the order they were first used in
        // (std on Linux), so `LAST`, used first, goes after the pool. A panic in a thread's
        // own destructors aborts the test program: the failure is not quiet.
        on_a_new_thread(|| {
            LAST.with_borrow(|_| ());
            let tree = json!({ "A": [1], "B": { "C": [2, 3] } });
            drop(json!({ "K": [0] }));
            LAST.with_borrow_mut(|last| *last = Some(DroppedAfterThePool { _tree: tree }));
        });
    }

    #[test]
    fn a_repeated_key_keeps_its_first_place_and_its_last_value() {
        let o = Object::from_entries(vec![
            (text("A"), Node::Bool(true)),
            (text("B"), Node::Null),
            (text("A"), Node::Bool(false)),
            (text("B"), Node::String(text("b"))),
            (text("C"), Node::Null),
        ]);
        assert_eq!(o.keys().collect::<Vec<_>>(), ["A", "B", "C"]);
        assert_eq!(o["A"], false);
        assert_eq!(o["B"], "b");
    }

    #[test]
    fn insert_replaces_in_place_and_index_mut_adds_at_the_end() {
        let mut n = Node::Null;
        n["A"] = Node::Bool(true);
        n["B"] = Node::Null;
        n["A"] = Node::String(text("again"));
        let o = n.as_object().unwrap();
        assert_eq!(o.keys().collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(n["A"], "again");
        assert!(n["missing"]["deeper"].is_null());
        assert!(n[3].is_null());
    }

    #[test]
    fn insert_after_puts_the_key_behind_its_neighbour() {
        let mut o = Object::from_entries(vec![
            (text("A"), Node::Null),
            (text("B"), Node::Null),
            (text("C"), Node::Null),
        ]);
        o.insert_after("A", "C", Node::Bool(true));
        assert_eq!(o.keys().collect::<Vec<_>>(), ["A", "C", "B"]);
        o.insert_after("nothing", "D", Node::Null);
        assert_eq!(o.keys().collect::<Vec<_>>(), ["A", "C", "B", "D"]);
    }

    #[test]
    fn round_trips_through_serde_json_with_key_order() {
        let value = serde_json::json!({
            "z": 1, "a": [true, null, 2.5, -3, "s\"q"], "m": {"y": {}, "b": []}
        });
        let node = Node::from(value.clone());
        assert_eq!(node, value);
        assert_eq!(node.to_value(), value);
        assert_eq!(
            serde_json::to_string(&node).unwrap(),
            serde_json::to_string(&value).unwrap()
        );
        assert_eq!(node.to_string(), value.to_string());
        assert_eq!(node["a"][4], "s\"q");
        assert_eq!(node["a"][3], -3);
        assert_eq!(node["z"], 1u64);
        assert_ne!(node, serde_json::json!({"a": 1}));
    }
}
