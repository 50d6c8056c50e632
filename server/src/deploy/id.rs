//! Deployment ids: the stack ARN (and the change set the server made for it), sealed with the
//! server's key. Nothing about a deployment is stored on the server, so the id must carry what
//! the next request acts on. Sealing does two things:
//! - only this server can make an id: a forged or altered one is refused before any AWS call;
//! - an id reads as random bytes. It travels in URL paths (proxy and access logs, browser
//!   history), so it must not name the account, the region or the stack the way the ARN would.
//!   (Its length follows the payload's: it tells how long the names are, not what they are.)
//!
//! The seal is AES-256-GCM (ring's) with a synthetic nonce, as in AES-GCM-SIV: the nonce is an
//! HMAC-SHA-256 of the payload under a second key. The same deployment always gets the same id
//! (the status route signs again on every poll), and two different payloads share a nonce only
//! if 96 bits of HMAC collide. Both keys are derived from the one [`IdKey`].

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use sha2::Sha256;

use super::StackArn;

/// The key deployment ids are sealed with (32 bytes), and the two keys derived from it. Never
/// logged.
#[derive(Clone)]
pub struct IdKey {
    secret: [u8; 32],
    /// The key of the nonces' HMAC.
    nonce_key: [u8; 32],
    /// The AES-256-GCM key.
    seal_key: [u8; 32],
    /// The key of the log's pseudonyms ([`IdKey::pseudonym`]).
    log_key: [u8; 32],
    /// The key of change-set names ([`IdKey::change_set_digest`]).
    change_set_key: [u8; 32],
    /// The key of stacks' proofs ([`IdKey::stack_proof`]).
    proof_key: [u8; 32],
}

impl std::fmt::Debug for IdKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdKey(<redacted>)")
    }
}

/// What every sealed id is bound to, besides its payload (the format's version).
const CONTEXT: &[u8] = b"stackplan-deployment-v2";

/// What a stack proof starts with: its format's version. A `2.` proof covers the stack's
/// `RoleARN` too; a `1.` proof (made before, without it) is still read.
const PROOF_PREFIX: &str = "2.";

/// The first version's prefix, read but no longer written.
const PROOF_PREFIX_V1: &str = "1.";

/// How far apart (seconds) the time a proof names and the stack's creation time may be: the
/// server's clock against CloudFormation's, and the create call's own time.
pub const PROOF_WINDOW_SECS: u64 = 900;

/// The stack a proof is of: what its ARN says, and the tenant it was made for.
#[derive(Clone, Copy, Debug)]
pub struct ProofOf<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub name: &'a str,
    pub owner: Option<&'a str>,
    /// The service role CloudFormation acts as for the stack (its `RoleARN`): the server's
    /// execution role. A proof copied onto a stack made by hand within the proof's window (its
    /// stack deleted meanwhile) proves nothing unless that stack was also made to act as the
    /// execution role, which takes the right to pass it to CloudFormation.
    pub role: Option<&'a str>,
}

/// The longest id `decode` reads (a stack ARN is at most about 250 characters).
const MAX_ID_CHARS: usize = 600;

impl IdKey {
    /// A fresh random key.
    pub fn random() -> std::io::Result<IdKey> {
        let mut key = [0u8; 32];
        getrandom::getrandom(&mut key).map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(IdKey::new(key))
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
        Ok(IdKey::new(key))
    }

    fn new(secret: [u8; 32]) -> IdKey {
        IdKey {
            secret,
            nonce_key: derive(&secret, b"nonce"),
            seal_key: derive(&secret, b"seal"),
            log_key: derive(&secret, b"log"),
            change_set_key: derive(&secret, b"change-set"),
            proof_key: derive(&secret, b"stack-proof"),
        }
    }

    pub(crate) fn to_hex(&self) -> String {
        hex(&self.secret)
    }

    /// The key a server uses, never a new one: `id_key` (64 hex digits) if given, else the one
    /// kept in `data_dir` (by default `~/.cache/stackplan`), for the commands that prove stacks
    /// the server made (`prove-stack`, `deploy-status`).
    pub fn existing(
        id_key: Option<&str>,
        data_dir: Option<std::path::PathBuf>,
    ) -> Result<IdKey, String> {
        if let Some(hex) = id_key {
            return IdKey::from_hex(hex).map_err(|e| format!("--id-key: {e}"));
        }
        let dir = data_dir
            .or_else(crate::config::default_data_dir)
            .ok_or("no id key: give the server's with --id-key, or its --data-dir")?;
        IdKey::load(&dir.join("id-key"))
    }

    /// The key kept in `path`, which must exist.
    pub fn load(path: &std::path::Path) -> Result<IdKey, String> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "no id key in {}: {e}; give the server's with --id-key, or its --data-dir",
                path.display()
            )
        })?;
        IdKey::from_hex(&text).map_err(|e| format!("{}: {e}", path.display()))
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

    /// A name for `text` in the log (12 hex digits of a keyed HMAC): the same on every server
    /// with this key, so that log lines about one role can be told apart from another's, but
    /// without the key nobody can check a guess of the role's ARN (which names the account)
    /// against it, as anyone could with an unkeyed digest.
    pub fn pseudonym(&self, text: &str) -> String {
        hex(&mac(&self.log_key, [text.as_bytes()])[..6])
    }

    /// 16 hex digits of a keyed HMAC of `parts` (each ended by a NUL): a change set's name, the
    /// same for the same request on every server with this key, and unknown to anyone without it.
    pub fn change_set_digest(&self, parts: &[&str]) -> String {
        let ended = parts.iter().flat_map(|part| [part.as_bytes(), b"\0"]);
        hex(&mac(&self.change_set_key, ended)[..8])
    }

    /// The value of a stack's proof tag ([`super::PROOF_TAG`]): that a server with this key asked
    /// for the stack `of` at `asked_at` (Unix seconds). `2.<asked_at>.<HMAC>`: a keyed HMAC of
    /// the stack's account, region, name, owner and role and of that time, so a tag set by hand,
    /// copied from a stack of another name, region, account, owner or role, or made under
    /// another key proves nothing; and since a stack's creation time must be within
    /// [`PROOF_WINDOW_SECS`] of it, neither does a proof copied from a deleted stack onto a
    /// later one of the same name, except within that window onto a stack made to act as the
    /// same role. It is public (anyone who can read the stack reads it), as a signature is.
    pub fn stack_proof(&self, of: &ProofOf, asked_at: i64) -> String {
        let time = asked_at.to_string();
        let digest = self.proof_mac(of, &time, true).finalize().into_bytes();
        format!("{PROOF_PREFIX}{time}.{}", URL_SAFE_NO_PAD.encode(digest))
    }

    /// Whether `tag` is the proof of the stack `of`, created at `created` (Unix seconds, as
    /// CloudFormation says), under this key. The HMAC is compared in constant time.
    pub fn proves(&self, tag: &str, of: &ProofOf, created: i64) -> bool {
        let (with_role, rest) = match (
            tag.strip_prefix(PROOF_PREFIX),
            tag.strip_prefix(PROOF_PREFIX_V1),
        ) {
            (Some(rest), _) => (true, rest),
            (_, Some(rest)) => (false, rest),
            _ => return false,
        };
        let Some((time, mac)) = rest.split_once('.') else {
            return false;
        };
        // Digits only, as `stack_proof` writes them: one time, one spelling.
        let Some(asked_at) =
            (!time.is_empty() && time.len() <= 12 && time.bytes().all(|b| b.is_ascii_digit()))
                .then(|| time.parse::<i64>().ok())
                .flatten()
                .filter(|t| t.to_string() == time)
        else {
            return false;
        };
        let Ok(given) = URL_SAFE_NO_PAD.decode(mac) else {
            return false;
        };
        self.proof_mac(of, time, with_role)
            .verify_slice(&given)
            .is_ok()
            && created.abs_diff(asked_at) <= PROOF_WINDOW_SECS
    }

    /// The proof's HMAC, fed each field ended by a NUL (no field can hold one); the role only
    /// `with_role` (the second version's).
    fn proof_mac(&self, of: &ProofOf, time: &str, with_role: bool) -> Hmac<Sha256> {
        let mut mac =
            <Hmac<Sha256> as KeyInit>::new_from_slice(&self.proof_key).expect("any key length");
        let role = with_role.then(|| of.role.unwrap_or_default());
        for field in [of.account, of.region, of.name, of.owner.unwrap_or_default()]
            .into_iter()
            .chain(role)
            .chain([time])
        {
            mac.update(field.as_bytes());
            mac.update(b"\0");
        }
        mac
    }

    /// The nonce a payload is sealed with: the first 96 bits of its HMAC.
    fn nonce(&self, payload: &[u8]) -> [u8; NONCE_LEN] {
        let digest = mac(&self.nonce_key, [payload]);
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&digest[..NONCE_LEN]);
        nonce
    }

    fn cipher(&self) -> LessSafeKey {
        let key = UnboundKey::new(&AES_256_GCM, &self.seal_key).expect("a 32-byte key");
        LessSafeKey::new(key)
    }

    /// `nonce ‖ ciphertext ‖ tag`, base64url.
    fn seal(&self, payload: &[u8]) -> String {
        let nonce = self.nonce(payload);
        let mut body = payload.to_vec();
        self.cipher()
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(CONTEXT),
                &mut body,
            )
            .expect("a payload far below GCM's limit");
        let sealed = [&nonce[..], &body].concat();
        URL_SAFE_NO_PAD.encode(sealed)
    }

    /// The payload of an id this key sealed; `None` for anything else.
    fn open(&self, text: &str) -> Option<Vec<u8>> {
        if text.len() > MAX_ID_CHARS {
            return None;
        }
        let sealed = URL_SAFE_NO_PAD.decode(text).ok()?;
        if sealed.len() < NONCE_LEN + AES_256_GCM.tag_len() {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
        let mut body = body.to_vec();
        let payload = self
            .cipher()
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(CONTEXT),
                &mut body,
            )
            .ok()?
            .to_vec();
        // Only the nonce this key gives the payload: each deployment has exactly one id.
        (self.nonce(&payload) == nonce).then_some(payload)
    }
}

/// A key for one use, derived from `secret` (HMAC-SHA-256 of the use's label).
fn derive(secret: &[u8; 32], label: &[u8]) -> [u8; 32] {
    mac(secret, [CONTEXT, b"\0", label])
}

/// HMAC-SHA-256 under `key` of `parts`, one after the other.
fn mac<'a>(key: &[u8; 32], parts: impl IntoIterator<Item = &'a [u8]>) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// `bytes` as lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
    /// The sealed id: the same for the same deployment, readable by this server only.
    pub fn id(&self, key: &IdKey) -> String {
        let mut payload = self.stack.arn.clone();
        if let Some(cs) = &self.change_set {
            payload.push('\n');
            payload.push_str(cs);
        }
        key.seal(payload.as_bytes())
    }

    /// Reads an id this server sealed; `None` for anything else (forged, altered, cut, or
    /// sealed with another key).
    pub fn decode(text: &str, key: &IdKey) -> Option<Deployment> {
        let payload = String::from_utf8(key.open(text)?).ok()?;
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

    #[test]
    fn a_pseudonym_is_stable_for_a_key_and_says_nothing_without_it() {
        let role = "arn:aws:iam::123456789012:role/deployer";
        let key = IdKey::new([7; 32]);
        let name = key.pseudonym(role);
        assert_eq!(name.len(), 12);
        assert!(name.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(key.pseudonym(role), name, "stable for one key");
        assert_ne!(key.pseudonym("arn:aws:iam::123456789012:role/other"), name);
        // Another key, another name; and not the unkeyed digest anyone could compute.
        assert_ne!(IdKey::new([8; 32]).pseudonym(role), name);
        assert_ne!(&crate::deploy::digest(&[role])[..12], name);
    }

    #[test]
    fn a_stack_proof_holds_for_its_own_stack_key_and_time_only() {
        let key = IdKey::new([7; 32]);
        let of = ProofOf {
            account: "123456789012",
            region: "eu-west-1",
            name: "shop-fargate",
            owner: Some("team-a"),
            role: Some("arn:aws:iam::123456789012:role/stackplan-execution"),
        };
        let asked = 1_790_000_000;
        let proof = key.stack_proof(&of, asked);
        assert!(
            proof.starts_with("2.1790000000.") && proof.len() == 56,
            "{proof}"
        );
        // A tag value may hold it (letters, digits and `_ . : / = + - @`).
        assert!(
            proof
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        );
        // Created a moment after it was asked for, or within the clocks' window either way.
        for created in [asked, asked + 3, asked - 900, asked + 900] {
            assert!(key.proves(&proof, &of, created), "{created}");
        }
        assert_eq!(key.stack_proof(&of, asked), proof, "stable");
        // A stack of that name made later (a copied proof) or before.
        for created in [asked + 901, asked - 901, asked + 86_400] {
            assert!(!key.proves(&proof, &of, created), "{created}");
        }
        // Any other account, region, name, owner or role; another key; a damaged or altered tag.
        for other in [
            ProofOf {
                account: "210987654321",
                ..of
            },
            ProofOf {
                region: "eu-west-2",
                ..of
            },
            ProofOf {
                name: "shop-lambda",
                ..of
            },
            ProofOf { owner: None, ..of },
            ProofOf {
                owner: Some("team-b"),
                ..of
            },
            // A stack made by hand to act as another role, or as none (CloudFormation then
            // acts as its maker): the proof of a deleted stack copied onto it, in its window.
            ProofOf {
                role: Some("arn:aws:iam::123456789012:role/mine"),
                ..of
            },
            ProofOf { role: None, ..of },
            // The fields are kept apart: moving a character across a boundary is another stack.
            ProofOf {
                name: "shop-fargat",
                owner: Some("eteam-a"),
                ..of
            },
        ] {
            assert!(!key.proves(&proof, &other, asked), "{other:?}");
        }
        assert!(!IdKey::new([8; 32]).proves(&proof, &of, asked));
        let mac = &proof["2.1790000000.".len()..];
        for bad in [
            String::new(),
            "2.".into(),
            "true".into(),
            proof[2..].to_string(),
            // The same HMAC read as the first version's, which covers no role.
            format!("1.{}", &proof[2..]),
            format!("3.{}", &proof[2..]),
            proof[..proof.len() - 1].to_string(),
            // Another time under the same HMAC; the same time spelled otherwise.
            format!("2.1790000001.{mac}"),
            format!("2.01790000000.{mac}"),
            format!("2.+1790000000.{mac}"),
        ] {
            assert!(!key.proves(&bad, &of, asked), "{bad}");
        }
    }

    /// A proof of the first version (stacks made before the role was covered) still proves its
    /// stack, whatever its role, within the same window; it is no longer written.
    #[test]
    fn a_first_version_proof_is_still_read() {
        let key = IdKey::new([7; 32]);
        let of = ProofOf {
            account: "123456789012",
            region: "eu-west-1",
            name: "shop-fargate",
            owner: None,
            role: Some("arn:aws:iam::123456789012:role/stackplan-execution"),
        };
        let asked = 1_790_000_000;
        let digest = key
            .proof_mac(&of, "1790000000", false)
            .finalize()
            .into_bytes();
        let v1 = format!("1.1790000000.{}", URL_SAFE_NO_PAD.encode(digest));
        assert!(key.proves(&v1, &of, asked + 30));
        assert!(key.proves(&v1, &ProofOf { role: None, ..of }, asked + 30));
        assert!(!key.proves(&v1, &of, asked + 901));
        assert!(!key.proves(&v1, &ProofOf { name: "shop", ..of }, asked));
        // Read as the second version, the same HMAC proves nothing.
        assert!(!key.proves(&format!("2.{}", &v1[2..]), &of, asked));
        assert!(key.stack_proof(&of, asked).starts_with("2."));
    }

    fn deployment(change_set: Option<&str>) -> Deployment {
        Deployment {
            stack: StackArn::parse(ARN).unwrap(),
            change_set: change_set.map(String::from),
        }
    }

    /// A deployment without a change set (a stack being created) and one with.
    fn both() -> [Deployment; 2] {
        [
            deployment(None),
            deployment(Some("stackplan-0123456789abcdef")),
        ]
    }

    #[test]
    fn ids_round_trip_with_and_without_a_change_set() {
        let key = IdKey::random().unwrap();
        for d in both() {
            let id = d.id(&key);
            assert!(!id.contains(['/', '+', '=', '.']), "{id}");
            assert_eq!(Deployment::decode(&id, &key), Some(d.clone()));
            assert_eq!(d.id(&key), id, "the same deployment, the same id");
        }
    }

    /// An id travels in URL paths: neither it nor its bytes name the account, the region or
    /// the stack.
    #[test]
    fn ids_name_nothing_of_the_stack() {
        let key = IdKey::random().unwrap();
        for d in both() {
            let id = d.id(&key);
            let bytes = URL_SAFE_NO_PAD.decode(&id).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            for secret in [
                "123456789012",
                "eu-west-1",
                "shop-fargate",
                "arn:",
                "0f1e2d3c",
                "stackplan-0123",
            ] {
                assert!(
                    !id.contains(secret) && !text.contains(secret),
                    "{secret} in {id}"
                );
            }
            // Nor does the base64 of the ARN, which the first ids were.
            assert!(!id.contains(&URL_SAFE_NO_PAD.encode(&ARN[..30])), "{id}");
        }
        let (a, b) = (
            deployment(None).id(&key),
            deployment(Some("stackplan-0123456789abcdef")).id(&key),
        );
        assert_ne!(
            a[..16],
            b[..16],
            "payloads that differ get different nonces"
        );
    }

    #[test]
    fn forged_altered_or_foreign_ids_are_refused() {
        let key = IdKey::random().unwrap();
        let other = IdKey::random().unwrap();
        let d = deployment(Some("stackplan-0123456789abcdef"));
        let id = d.id(&key);
        let sealed = URL_SAFE_NO_PAD.decode(&id).unwrap();
        let flipped = |at: usize| {
            let mut bytes = sealed.clone();
            bytes[at] ^= 1;
            URL_SAFE_NO_PAD.encode(bytes)
        };
        // The signed, readable id of the previous format: base64url of the ARN, a dot, a tag.
        let v1 = {
            let mut mac =
                <Hmac<Sha256> as KeyInit>::new_from_slice(&key.secret).expect("any key length");
            mac.update(b"stackplan-deployment-v1\0");
            mac.update(ARN.as_bytes());
            let tag = mac.finalize().into_bytes();
            format!(
                "{}.{}",
                URL_SAFE_NO_PAD.encode(ARN),
                URL_SAFE_NO_PAD.encode(&tag[..16])
            )
        };
        // A payload sealed with this key but a nonce of its own choosing (not the payload's).
        let wrong_nonce = {
            let nonce = [7u8; NONCE_LEN];
            let mut body = ARN.as_bytes().to_vec();
            key.cipher()
                .seal_in_place_append_tag(
                    Nonce::assume_unique_for_key(nonce),
                    Aad::from(CONTEXT),
                    &mut body,
                )
                .unwrap();
            URL_SAFE_NO_PAD.encode([&nonce[..], &body].concat())
        };
        assert_eq!(
            key.cipher()
                .open_in_place(
                    Nonce::assume_unique_for_key([7u8; NONCE_LEN]),
                    Aad::from(CONTEXT),
                    &mut URL_SAFE_NO_PAD.decode(&wrong_nonce).unwrap()[NONCE_LEN..].to_vec(),
                )
                .map(|p| p.to_vec())
                .ok(),
            Some(ARN.as_bytes().to_vec()),
            "the cipher alone would open it"
        );
        for bad in [
            v1,
            URL_SAFE_NO_PAD.encode(ARN),
            wrong_nonce,
            flipped(0),
            flipped(NONCE_LEN + 3),
            flipped(sealed.len() - 1),
            id[..id.len() - 4].to_string(),
            format!("{id}AAAA"),
            format!("{id}."),
            d.id(&other),
            String::new(),
            "x".repeat(700),
        ] {
            assert_eq!(Deployment::decode(&bad, &key), None, "{bad}");
        }
    }

    /// The longest id a legal deployment gets is well within the limit, and a longer one is
    /// not even opened, however validly sealed.
    #[test]
    fn ids_have_a_length_limit() {
        let key = IdKey::random().unwrap();
        // The longest stack ARN `StackArn::parse` takes: the longest partition and region
        // Stackplan plans for, a 128-character name, a 64-character stack id; and the change
        // set.
        let longest = Deployment {
            stack: StackArn::parse(&format!(
                "arn:aws-us-gov:cloudformation:ap-southeast-1:123456789012:stack/{}/{}",
                "s".repeat(128),
                "0".repeat(64)
            ))
            .unwrap(),
            change_set: Some("stackplan-0123456789abcdef".into()),
        };
        let id = longest.id(&key);
        assert!(id.len() <= MAX_ID_CHARS * 3 / 4, "{}", id.len());
        assert_eq!(Deployment::decode(&id, &key), Some(longest));
        let sealed = key.seal(&[b'a'; 500]);
        assert!(sealed.len() > MAX_ID_CHARS);
        assert_eq!(key.open(&sealed), None);
        let under = key.seal(&[b'a'; 400]);
        assert_eq!(
            key.open(&under),
            Some(vec![b'a'; 400]),
            "the limit, not the seal"
        );
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
