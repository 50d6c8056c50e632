//! Deployment ids: the stack ARN (and the change set the server made for it), signed with the
//! server's key. Nothing about a deployment is stored on the server, so the id must carry what
//! the next request acts on; the signature makes sure only this server made it. A forged or
//! altered id is refused before any AWS call.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::StackArn;

/// The key deployment ids are signed with (32 bytes). Never logged.
#[derive(Clone)]
pub struct IdKey([u8; 32]);

impl std::fmt::Debug for IdKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdKey(<redacted>)")
    }
}

/// Bytes of the signature kept in an id (128 bits).
const TAG_BYTES: usize = 16;

impl IdKey {
    /// A fresh random key.
    pub fn random() -> std::io::Result<IdKey> {
        let mut key = [0u8; 32];
        getrandom::getrandom(&mut key).map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(IdKey(key))
    }

    /// A key given as 64 hex digits (`--id-key`, `STACKPLAN_ID_KEY`).
    pub fn from_hex(text: &str) -> Result<IdKey, String> {
        let text = text.trim();
        if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("the id key must be 64 hex digits (32 bytes)".into());
        }
        let mut key = [0u8; 32];
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
        }
        Ok(IdKey(key))
    }

    fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The key kept in `path`, made (readable by its owner only) on first use: ids then stay
    /// valid across restarts of a local server.
    pub fn load_or_create(path: &std::path::Path) -> Result<IdKey, String> {
        if let Ok(text) = std::fs::read_to_string(path) {
            return IdKey::from_hex(&text).map_err(|e| format!("{}: {e}", path.display()));
        }
        let key = IdKey::random().map_err(|e| e.to_string())?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        write_private(path, &key.to_hex()).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(key)
    }

    fn mac(&self, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("any key length");
        mac.update(b"stackplan-deployment-v1\0");
        mac.update(payload);
        mac
    }
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// What a deployment id names: a stack, and the change set the server made for it (the one
/// `execute` may run).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deployment {
    pub stack: StackArn,
    pub change_set: Option<String>,
}

impl Deployment {
    /// The signed id.
    pub fn id(&self, key: &IdKey) -> String {
        let mut payload = self.stack.arn.clone();
        if let Some(cs) = &self.change_set {
            payload.push('\n');
            payload.push_str(cs);
        }
        let tag = key.mac(payload.as_bytes()).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(payload.as_bytes()),
            URL_SAFE_NO_PAD.encode(&tag[..TAG_BYTES])
        )
    }

    /// Reads an id this server signed; `None` for anything else (forged, altered, cut).
    pub fn decode(text: &str, key: &IdKey) -> Option<Deployment> {
        if text.len() > 600 {
            return None;
        }
        let (payload, tag) = text.split_once('.')?;
        let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        if tag.len() != TAG_BYTES {
            return None;
        }
        key.mac(&payload).verify_truncated_left(&tag).ok()?;
        let payload = String::from_utf8(payload).ok()?;
        let (arn, change_set) = match payload.split_once('\n') {
            Some((arn, cs)) if super::valid_change_set_name(cs) => (arn, Some(cs.to_string())),
            Some(_) => return None,
            None => (payload.as_str(), None),
        };
        Some(Deployment {
            stack: StackArn::parse(arn)?,
            change_set,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:cloudformation:eu-west-1:123456789012:stack/shop-fargate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab";

    fn deployment(change_set: Option<&str>) -> Deployment {
        Deployment {
            stack: StackArn::parse(ARN).unwrap(),
            change_set: change_set.map(String::from),
        }
    }

    #[test]
    fn ids_round_trip_with_and_without_a_change_set() {
        let key = IdKey::random().unwrap();
        for d in [
            deployment(None),
            deployment(Some("stackplan-0123456789abcdef")),
        ] {
            let id = d.id(&key);
            assert!(!id.contains(['/', '+', '=']), "{id}");
            assert_eq!(Deployment::decode(&id, &key), Some(d));
        }
    }

    #[test]
    fn forged_altered_or_foreign_ids_are_refused() {
        let key = IdKey::random().unwrap();
        let other = IdKey::random().unwrap();
        let id = deployment(Some("stackplan-0123456789abcdef")).id(&key);
        // The unsigned id of the previous format: base64url of the ARN.
        let unsigned = URL_SAFE_NO_PAD.encode(ARN);
        let (payload, tag) = id.split_once('.').unwrap();
        let mut flipped = tag.as_bytes().to_vec();
        flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
        let forged_payload = URL_SAFE_NO_PAD.encode(ARN.replace("shop-fargate", "someone-elses"));
        for bad in [
            unsigned.clone(),
            format!("{unsigned}.{tag}"),
            format!("{payload}.{}", String::from_utf8(flipped).unwrap()),
            format!("{forged_payload}.{tag}"),
            format!("{payload}."),
            format!("{payload}.{}", &tag[..10]),
            deployment(None).id(&other),
            String::new(),
            "x".repeat(700),
        ] {
            assert_eq!(Deployment::decode(&bad, &key), None, "{bad}");
        }
    }

    #[test]
    fn keys_are_read_back_from_their_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys").join("id-key");
        let made = IdKey::load_or_create(&path).unwrap();
        let read = IdKey::load_or_create(&path).unwrap();
        let d = deployment(None);
        assert_eq!(Deployment::decode(&d.id(&made), &read), Some(d));
        assert!(IdKey::from_hex("zz").is_err());
        assert_eq!(format!("{made:?}"), "IdKey(<redacted>)");
    }
}
