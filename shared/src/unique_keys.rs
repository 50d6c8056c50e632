//! A JSON object read into a map refuses a key given twice. serde's own map keeps the last
//! value and drops the others without a word: `{"env": "prod", "env": "dev"}` would tag a
//! stack `env=dev` with nothing said, and a parameter given twice would deploy one of them.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, Error, MapAccess, Visitor};

/// `#[serde(deserialize_with = "crate::unique_keys::deserialize")]` on a `BTreeMap<String, V>`.
pub fn deserialize<'de, D, V>(deserializer: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    deserializer.deserialize_map(Unique(PhantomData))
}

struct Unique<V>(PhantomData<V>);

impl<'de, V: Deserialize<'de>> Visitor<'de> for Unique<V> {
    type Value = BTreeMap<String, V>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value()?;
            if out.contains_key(&key) {
                return Err(A::Error::custom(format_args!(
                    "the key `{key}` is given twice"
                )));
            }
            out.insert(key, value);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #[derive(Debug, serde::Deserialize)]
    struct Tagged {
        #[serde(deserialize_with = "super::deserialize")]
        tags: std::collections::BTreeMap<String, String>,
    }

    #[test]
    fn a_key_given_twice_is_refused_and_others_read() {
        let read: Tagged = serde_json::from_str(r#"{"tags": {"b": "2", "a": "1"}}"#).unwrap();
        assert_eq!(read.tags.len(), 2);
        let twice = serde_json::from_str::<Tagged>(r#"{"tags": {"env": "prod", "env": "dev"}}"#)
            .unwrap_err()
            .to_string();
        assert!(twice.starts_with("the key `env` is given twice"), "{twice}");
        // Keys that differ in case are two keys here (the validator says what it thinks of them).
        assert!(serde_json::from_str::<Tagged>(r#"{"tags": {"Env": "a", "env": "b"}}"#).is_ok());
        assert!(serde_json::from_str::<Tagged>(r#"{"tags": ["env"]}"#).is_err());
    }
}
