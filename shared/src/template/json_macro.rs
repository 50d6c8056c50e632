//! `json!` for the template builders: `serde_json::json!`'s syntax and values, in less code and
//! less work, building the template's own tree ([`Node`]). Two differences: an object key must
//! be a literal or a constant (the keys of an object are one promoted static array); anything
//! else does not compile, and is inserted afterwards (`Object::insert`, `insert_after`). And an
//! object that repeats a key does not compile (`serde_json::json!` keeps the last value), so no
//! object's keys are compared while a template is built.
//!
//! `serde_json::json!` expands every entry of every object in place (a key `String`, an
//! `insert`, the replaced value dropped) and turns every interpolated expression into a value
//! through the serializer (`to_value(&e).unwrap()`), which deep-copies an interpolated `Value`.
//! Here an object is one call of [`object`] with its static keys and an array of its values;
//! keys and string literals are borrowed, not copied; a bare name or a call's result is moved,
//! any other expression is converted as `Value::from` converts it. The templates stay
//! byte-identical (the snapshot tests compare every byte); the browser's wasm and the time to
//! build a template shrink.

use std::borrow::Cow;

use serde_json::Value;

use super::tree::{Node, Object};

/// Builds a template [`Node`]: `json!({"Key": value, "List": [1, "two", null]})`.
macro_rules! json {
    // Objects: (key, value) pairs are collected, then built by one call.
    (@object [$(($key:expr, $value:expr),)*] () ()) => {{
        // Checked when the crate compiles: no object repeats a key, so none is checked when
        // a template is built.
        const {
            assert!(
                $crate::template::json_macro::distinct(&[$($key),*]),
                "a json! object repeats a key"
            )
        };
        $crate::template::json_macro::object(&[$($key),*], [$($value),*])
    }};
    (@object [$($done:tt)*] ($($key:tt)+) (: $value:literal $(, $($rest:tt)*)?)) => {
        json!(@object [$($done)* (($($key)+), $crate::template::json_macro::Literal::node($value)),] () ($($($rest)*)?))
    };
    (@object [$($done:tt)*] ($($key:tt)+) (: null $(, $($rest:tt)*)?)) => {
        json!(@object [$($done)* (($($key)+), $crate::template::tree::Node::Null),] () ($($($rest)*)?))
    };
    // A bare name is moved, as a call's result is (use `&name` to copy a borrowed one).
    (@object [$($done:tt)*] ($($key:tt)+) (: $value:ident $(, $($rest:tt)*)?)) => {
        json!(@object [$($done)* (($($key)+), json!(@owned $value)),] () ($($($rest)*)?))
    };
    (@object [$($done:tt)*] ($($key:tt)+) (: [$($array:tt)*] $(, $($rest:tt)*)?)) => {
        json!(@object [$($done)* (($($key)+), json!([$($array)*])),] () ($($($rest)*)?))
    };
    (@object [$($done:tt)*] ($($key:tt)+) (: {$($map:tt)*} $(, $($rest:tt)*)?)) => {
        json!(@object [$($done)* (($($key)+), json!({$($map)*})),] () ($($($rest)*)?))
    };
    (@object [$($done:tt)*] ($($key:tt)+) (: $($f:ident)::+ ($($args:tt)*) $(, $($rest:tt)*)?)) => {
        json!(@object [$($done)* (($($key)+), json!(@owned $($f)::+($($args)*))),] () ($($($rest)*)?))
    };
    (@object [$($done:tt)*] ($($key:tt)+) (: $value:expr , $($rest:tt)*)) => {
        json!(@object [$($done)* (($($key)+), json!($value)),] () ($($rest)*))
    };
    (@object [$($done:tt)*] ($($key:tt)+) (: $value:expr)) => {
        json!(@object [$($done)* (($($key)+), json!($value)),] () ())
    };
    // A key is every token up to its colon.
    (@object [$($done:tt)*] ($($key:tt)*) ($next:tt $($rest:tt)*)) => {
        json!(@object [$($done)*] ($($key)* $next) ($($rest)*))
    };
    // Arrays: the elements are collected, then put in one array (`Array::from_items`).
    (@array [$($done:expr,)*]) => { $crate::template::tree::Array::from_items([$($done,)*]) };
    (@array [$($done:expr,)*] $next:literal $(, $($rest:tt)*)?) => {
        json!(@array [$($done,)* $crate::template::json_macro::Literal::node($next),] $($($rest)*)?)
    };
    (@array [$($done:expr,)*] null $(, $($rest:tt)*)?) => {
        json!(@array [$($done,)* $crate::template::tree::Node::Null,] $($($rest)*)?)
    };
    (@array [$($done:expr,)*] $next:ident $(, $($rest:tt)*)?) => {
        json!(@array [$($done,)* json!(@owned $next),] $($($rest)*)?)
    };
    (@array [$($done:expr,)*] [$($array:tt)*] $(, $($rest:tt)*)?) => {
        json!(@array [$($done,)* json!([$($array)*]),] $($($rest)*)?)
    };
    (@array [$($done:expr,)*] {$($map:tt)*} $(, $($rest:tt)*)?) => {
        json!(@array [$($done,)* json!({$($map)*}),] $($($rest)*)?)
    };
    (@array [$($done:expr,)*] $($f:ident)::+ ($($args:tt)*) $(, $($rest:tt)*)?) => {
        json!(@array [$($done,)* json!(@owned $($f)::+($($args)*)),] $($($rest)*)?)
    };
    (@array [$($done:expr,)*] $next:expr , $($rest:tt)*) => {
        json!(@array [$($done,)* json!($next),] $($rest)*)
    };
    (@array [$($done:expr,)*] $last:expr) => { json!(@array [$($done,)* json!($last),]) };
    // A call's result is the macro's to keep: it is moved, not copied.
    (@owned $value:expr) => { $crate::template::json_macro::IntoJson::into_json($value) };
    // Values.
    (null) => { $crate::template::tree::Node::Null };
    ($value:literal) => { $crate::template::json_macro::Literal::node($value) };
    ($value:ident) => { json!(@owned $value) };
    ([]) => { $crate::template::tree::Node::Array($crate::template::tree::Array::default()) };
    ([ $($tt:tt)+ ]) => { $crate::template::tree::Node::Array(json!(@array [] $($tt)+)) };
    ({}) => { $crate::template::tree::Node::Object($crate::template::tree::Object::new()) };
    ({ $($tt:tt)+ }) => { json!(@object [] () ($($tt)+)) };
    ($($f:ident)::+ ($($args:tt)*)) => { json!(@owned $($f)::+($($args)*)) };
    ($other:expr) => { $crate::template::json_macro::IntoJson::into_json(&$other) };
}
pub(crate) use json;

/// What a `json!` expression becomes: the value `serde_json::to_value` makes of it, without
/// going through the serializer. A call's result (`r("Vpc")`, `policy_doc(..)`) and a bare name
/// are moved into the document; a literal is borrowed ([`Literal`]); any other expression is
/// borrowed, as `serde_json::json!` borrows it (a field of a borrowed plan can be written as it
/// is), and copied.
pub(crate) trait IntoJson {
    fn into_json(self) -> Node;
}

/// A borrowed value's JSON (its copy).
pub(crate) trait ToJson {
    fn to_json(&self) -> Node;
}

/// A literal's JSON: a string literal is borrowed, not copied.
pub(crate) trait Literal {
    fn node(self) -> Node;
}

impl Literal for &'static str {
    fn node(self) -> Node {
        Node::String(Cow::Borrowed(self))
    }
}

impl<T: ToJson + ?Sized> IntoJson for &T {
    fn into_json(self) -> Node {
        self.to_json()
    }
}

impl IntoJson for Node {
    fn into_json(self) -> Node {
        self
    }
}

impl ToJson for Node {
    fn to_json(&self) -> Node {
        self.clone()
    }
}

impl IntoJson for String {
    fn into_json(self) -> Node {
        Node::String(Cow::Owned(self))
    }
}

impl ToJson for String {
    fn to_json(&self) -> Node {
        Node::String(Cow::Owned(self.clone()))
    }
}

/// A borrowed string is copied…
impl ToJson for &str {
    fn to_json(&self) -> Node {
        Node::String(Cow::Owned((*self).to_owned()))
    }
}

/// …but one that lives as long as the program (a constant, a name a function returns) is
/// borrowed, as a literal is. (A borrowed string that does not live that long does not
/// compile as a bare name or a call: write `json!(&name)` to copy it.)
impl IntoJson for &'static str {
    fn into_json(self) -> Node {
        Node::String(Cow::Borrowed(self))
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn to_json(&self) -> Node {
        (**self).to_json()
    }
}

/// A number or boolean as `serde_json::Value::from` makes it (a float that is not finite is
/// null).
fn scalar(value: Value) -> Node {
    match value {
        Value::Number(n) => Node::Number(n),
        Value::Bool(b) => Node::Bool(b),
        _ => Node::Null,
    }
}

macro_rules! json_from {
    ($($t:ty),*) => {$(
        impl IntoJson for $t {
            fn into_json(self) -> Node {
                scalar(Value::from(self))
            }
        }
        impl ToJson for $t {
            fn to_json(&self) -> Node {
                scalar(Value::from(*self))
            }
        }
        impl Literal for $t {
            fn node(self) -> Node {
                scalar(Value::from(self))
            }
        }
    )*};
}
json_from!(bool, u8, u16, u32, u64, usize, i32, i64, f64);

impl<T: ToJson> ToJson for [T] {
    fn to_json(&self) -> Node {
        Node::Array(self.iter().map(ToJson::to_json).collect())
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Node {
        self.as_slice().to_json()
    }
}

impl<T: IntoJson> IntoJson for Vec<T> {
    fn into_json(self) -> Node {
        Node::Array(self.into_iter().map(IntoJson::into_json).collect())
    }
}

impl<T: ToJson, const N: usize> ToJson for [T; N] {
    fn to_json(&self) -> Node {
        self.as_slice().to_json()
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> Node {
        self.as_ref().map_or(Node::Null, ToJson::to_json)
    }
}

impl<T: IntoJson> IntoJson for Option<T> {
    fn into_json(self) -> Node {
        self.map_or(Node::Null, IntoJson::into_json)
    }
}

impl IntoJson for Object {
    fn into_json(self) -> Node {
        Node::Object(self)
    }
}

/// An object of `keys` and their `values`, in their order; the keys are distinct (`json!`
/// asserts it at compile time). The keys are one static array per object in the binary's data,
/// not code that stores each one.
pub(crate) fn object<const N: usize>(keys: &'static [&'static str; N], values: [Node; N]) -> Node {
    Node::Object(Object::from_keys(keys, values))
}

/// Whether no two of `keys` are the same: `json!` asserts it of every object's keys at
/// compile time.
pub const fn distinct(keys: &[&str]) -> bool {
    let mut i = 0;
    while i < keys.len() {
        let mut j = i + 1;
        while j < keys.len() {
            if same(keys[i].as_bytes(), keys[j].as_bytes()) {
                return false;
            }
            j += 1;
        }
        i += 1;
    }
    true
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    #[test]
    fn distinct_keys() {
        assert!(super::distinct(&[]));
        assert!(super::distinct(&["Ref"]));
        assert!(super::distinct(&["Key", "Value", "Keys", "Ke"]));
        assert!(!super::distinct(&["Key", "Value", "Key"]));
        assert!(!super::distinct(&["", "a", ""]));
    }

    /// The same syntax gives the same value as `serde_json::json!`, key order included.
    #[test]
    fn builds_what_serde_json_builds() {
        let name = String::from("web");
        let ids = ["A", "B"];
        let port: u16 = 443;
        let nested = json!({"Ref": "X"});
        let ours = json!({
            "Type": "AWS::S3::Bucket",
            "Name": name.clone(),
            "Port": port,
            "Ratio": 0.25,
            "Negative": -3,
            "On": true,
            "Nothing": null,
            "Ids": ids.as_slice(),
            "List": [1, "two", null, [], {}, {"k": [nested.clone()]}],
            "Empty": {},
            "Nested": nested.clone(),
            super::tests::KEY: "from a constant",
            "Last": if port > 80 { "high" } else { "low" }
        });
        let nested = serde_json::json!({"Ref": "X"});
        let theirs = serde_json::json!({
            "Type": "AWS::S3::Bucket",
            "Name": name,
            "Port": port,
            "Ratio": 0.25,
            "Negative": -3,
            "On": true,
            "Nothing": null,
            "Ids": ids,
            "List": [1, "two", null, [], {}, {"k": [nested.clone()]}],
            "Empty": {},
            "Nested": nested,
            super::tests::KEY: "from a constant",
            "Last": if port > 80 { "high" } else { "low" }
        });
        assert_eq!(ours, theirs);
        assert_eq!(
            serde_json::to_string(&ours).unwrap(),
            serde_json::to_string(&theirs).unwrap(),
            "same key order"
        );
        assert_eq!(json!([]), serde_json::json!([]));
        assert_eq!(json!(null), serde_json::Value::Null);
    }

    const KEY: &str = "Constant";
}
