//! A plan's closed sets of words (a region, an instance class, a runtime), read from JSON
//! strings only.
//!
//! serde's derived enums also take `{"arm64": null}` for `"arm64"`, and serde_json answers a
//! number or `null` where one is expected with "expected value", an error of the JSON's syntax
//! with no field: the plan's reader then said the plan was not valid JSON. Read as strings,
//! anything else is "invalid type: integer `5`, expected `x86_64` or `arm64`", an error of the
//! field, named with its path.

use std::fmt;
use std::marker::PhantomData;

/// A closed set of words: each value and its name in JSON, in the same order, which is the
/// values' declared order (their `as_str` reads its name at `value as usize`).
pub(crate) trait Word: Copy + 'static {
    const WORDS: &'static [Self];
    const NAMES: &'static [&'static str];
}

pub(crate) struct Visitor<T>(pub(crate) PhantomData<T>);

impl<T: Word> serde::de::Visitor<'_> for Visitor<T> {
    type Value = T;

    /// As serde words an unknown variant's expected names.
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match T::NAMES {
            [one] => write!(f, "`{one}`"),
            [a, b] => write!(f, "`{a}` or `{b}`"),
            names => {
                f.write_str("one of ")?;
                for (i, name) in names.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "`{name}`")?;
                }
                Ok(())
            }
        }
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<T, E> {
        named(text).ok_or_else(|| E::unknown_variant(text, T::NAMES))
    }
}

/// The value `text` names, as plans write it.
pub(crate) fn named<T: Word>(text: &str) -> Option<T> {
    T::NAMES
        .iter()
        .position(|name| *name == text)
        .map(|i| T::WORDS[i])
}

/// `Deserialize` for each type, through [`Word`].
macro_rules! from_strings {
    ($($t:ty),+ $(,)?) => {$(
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_str(words::Visitor::<$t>(std::marker::PhantomData))
            }
        }
    )+};
}
pub(crate) use from_strings;

#[cfg(test)]
mod tests {
    use super::Word;
    use crate::plan::*;

    /// Each word reads back as the value serde writes it as, and nothing else reads.
    fn round_trips<
        T: Word + serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    >(
        as_str: Option<fn(T) -> &'static str>,
    ) {
        assert_eq!(T::WORDS.len(), T::NAMES.len());
        for (value, name) in T::WORDS.iter().zip(T::NAMES) {
            assert_eq!(serde_json::to_string(value).unwrap(), format!("\"{name}\""));
            // The name the code writes is serde's (the lists are in the declared order).
            if let Some(as_str) = as_str {
                assert_eq!(as_str(*value), *name);
            }
            assert_eq!(
                serde_json::from_str::<T>(&format!("\"{name}\"")).unwrap(),
                *value
            );
            // Not the externally tagged form serde's own enums also read.
            assert!(serde_json::from_str::<T>(&format!("{{\"{name}\": null}}")).is_err());
        }
        for wrong in ["5", "null", "true", "[]", "\"\"", "\"X\""] {
            assert!(serde_json::from_str::<T>(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn every_word_reads_as_it_is_written() {
        round_trips::<Region>(Some(Region::code));
        round_trips::<CpuArch>(Some(CpuArch::as_str));
        round_trips::<NatGateways>(None);
        round_trips::<ApiType>(None);
        round_trips::<KeyType>(Some(KeyType::as_str));
        round_trips::<DbInstanceClass>(Some(DbInstanceClass::as_str));
        round_trips::<CacheNodeType>(Some(CacheNodeType::as_str));
        round_trips::<Runtime>(Some(Runtime::as_str));
        // Every value is listed (the ALL lists are complete, and the others have 2 or 3).
        assert_eq!(Region::WORDS.len(), Region::ALL.len());
    }

    #[test]
    fn a_value_of_another_kind_is_a_field_error_in_serdes_words() {
        let e = serde_json::from_str::<CpuArch>("5").unwrap_err();
        assert_eq!(e.classify(), serde_json::error::Category::Data);
        assert_eq!(
            e.to_string(),
            "invalid type: integer `5`, expected `x86_64` or `arm64` at line 1 column 1"
        );
        let e = serde_json::from_str::<Region>("\"mars-1\"").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown variant `mars-1`, expected one of `us-east-1`, `us-west-2`, `eu-west-1`, `eu-central-1`, `ap-southeast-1`, `ap-northeast-1` at line 1 column 8"
        );
        let e = serde_json::from_str::<KeyType>("null").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid type: null, expected one of `S`, `N`, `B` at line 1 column 4"
        );
    }
}
