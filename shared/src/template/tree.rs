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
    Array(Vec<Node>),
    Object(Object),
}

/// A JSON object: its entries in order, each key once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Object {
    entries: Vec<(Text, Node)>,
}

static NULL: Node = Node::Null;

impl Object {
    pub fn new() -> Self {
        Object::default()
    }

    pub fn with_capacity(n: usize) -> Self {
        Object {
            entries: Vec::with_capacity(n),
        }
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

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
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
            Node::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Node>> {
        match self {
            Node::Array(a) => Some(a),
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

    fn text(s: &'static str) -> Text {
        Cow::Borrowed(s)
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
