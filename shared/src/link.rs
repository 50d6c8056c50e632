//! Share links: the whole plan in the URL fragment, `…/#plan=1.<payload>`.
//!
//! Version 1: the plan's JSON with its field names replaced by short codes from [`FIELDS_V1`]
//! (user data such as tag keys is left alone), compressed with raw DEFLATE and written in
//! unpadded base64url. The code table is append-only: a code never changes meaning, so links
//! made by older builds keep decoding. The decoder is bounded: it refuses input over
//! [`MAX_LINK_CHARS`] and stops inflating at [`MAX_INFLATED_BYTES`] (no decompression bomb).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use crate::cost::Sides;
use crate::plan::{CpuArch, ParseError, Plan};

/// The longest link (or fragment) the decoder reads.
pub const MAX_LINK_CHARS: usize = 8 * 1024;
/// The most bytes a link may inflate to.
pub const MAX_INFLATED_BYTES: usize = 64 * 1024;
/// The fragment key.
pub const FRAGMENT_KEY: &str = "plan=";
/// After the plan in a fragment: the estimate leaves out AWS's free tier. (A link without it
/// counts the free tier, the planner's default; a decoder reads the plan up to the first `&`,
/// so older builds open such a link too.)
pub const FREE_TIER_OFF: &str = "free_tier=off";

/// Field names of the plan format, in code order: the field at index `i` has code
/// `code(i)`. Append only; never reorder or remove.
pub const FIELDS_V1: &[&str] = &[
    "version",
    "project",
    "region",
    "tags",
    "workload",
    "fargate",
    "lambda",
    "requests_per_month",
    "avg_duration_ms",
    "avg_response_kb",
    "internet_egress_percent",
    "log_gb_per_month",
    "vcpu",
    "memory_mib",
    "cpu_architecture",
    "image",
    "image_tag",
    "container_port",
    "health_check_path",
    "readonly_root_filesystem",
    "ephemeral_storage_gib",
    "desired_tasks",
    "min_tasks",
    "max_tasks",
    "cpu_target_percent",
    "spot_percent",
    "nat_gateways",
    "log_retention_days",
    "database",
    "cache",
    "https",
    "alarm_email",
    "instance_class",
    "storage_gb",
    "multi_az",
    "backup_days",
    "node_type",
    "nodes",
    "certificate_arn",
    "memory_mb",
    "architecture",
    "timeout_s",
    "runtime",
    "handler",
    "api",
    "tables",
    "bucket",
    "reserved_concurrency",
    "name",
    "partition_key",
    "sort_key",
    "ttl_attribute",
    "type",
    "environment",
    "value",
    "ssm_parameter",
    "secret",
    "generate",
    "domain",
    "hosted_zone_id",
    "json_key",
    "governed",
    "user",
    "authorizer",
    "jwt",
    "issuer",
    "audience",
    "throttling",
    "rate_per_second",
    "burst",
    "log_bucket",
    "health_check_grace_s",
];

const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// The short code of field index `i`: one letter, then two.
fn code(i: usize) -> Code {
    if i < ALPHABET.len() {
        Code {
            letters: [ALPHABET[i], 0],
            len: 1,
        }
    } else {
        let j = i - ALPHABET.len();
        Code {
            letters: [ALPHABET[j / ALPHABET.len()], ALPHABET[j % ALPHABET.len()]],
            len: 2,
        }
    }
}

/// A field's code, one or two letters of [`ALPHABET`], without a `String` of its own (a link
/// has about 35 of them).
struct Code {
    letters: [u8; 2],
    len: usize,
}

impl Code {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.letters[..self.len]).expect("codes are ASCII letters")
    }
}

/// Why a link could not be read. Each says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the link carries no plan (expected …#plan=1.…)")]
    Missing,
    #[error("the link is {0} characters long; share links are at most {MAX_LINK_CHARS}")]
    TooLong(usize),
    #[error(
        "the link was made by a newer or unknown Stackplan format (\"{0}\"); open it with a current Stackplan"
    )]
    UnknownVersion(String),
    #[error("the link is damaged: it contains characters a share link never has")]
    NotBase64,
    #[error("the link is damaged or cut short: its data does not unpack (was it copied whole?)")]
    Corrupt,
    #[error(
        "the link unpacks to more than {MAX_INFLATED_BYTES} bytes, more than any plan: refused"
    )]
    TooLarge,
    #[error("the link is damaged: its data is not a plan")]
    NotAPlan,
    /// A field code past this build's table: codes are only ever appended, so a newer
    /// Stackplan wrote it (or the link was tampered with).
    #[error(
        "the link holds a field this Stackplan does not know (code \"{0}\"): it was made by a newer Stackplan; open it with a current one"
    )]
    UnknownField(String),
    #[error("the link holds a plan this build cannot read: {0}")]
    Plan(#[from] ParseError),
}

impl LinkError {
    /// Why the plan a template or a stack records (`Metadata.Stackplan.Plan`, a link's code
    /// without its address) could not be read, in words about that record: the reader never
    /// had a link in hand, and "was it copied whole?" would send them looking for one.
    pub fn of_record(&self) -> String {
        match self {
            LinkError::Missing => "the record is not a plan's code (was it edited?)".to_string(),
            LinkError::TooLong(n) => {
                format!(
                    "the record is {n} characters long; a plan's record is at most {MAX_LINK_CHARS}"
                )
            }
            LinkError::UnknownVersion(v) => format!(
                "it was written by a newer or unknown Stackplan format (\"{v}\"); open it with a current Stackplan"
            ),
            LinkError::NotBase64 | LinkError::Corrupt | LinkError::NotAPlan => {
                "the record is damaged (edited, or cut short)".to_string()
            }
            LinkError::TooLarge => {
                format!(
                    "the record unpacks to more than {MAX_INFLATED_BYTES} bytes, more than any plan: refused"
                )
            }
            LinkError::UnknownField(code) => format!(
                "the record holds a field this Stackplan does not know (code \"{code}\"): a newer Stackplan wrote it; open it with a current one"
            ),
            LinkError::Plan(e) => format!("the record holds a plan this build cannot read: {e}"),
        }
    }
}

/// What [`shorten_text`] does, on a `Value` (what links were encoded through before): kept as
/// the tests' reference.
#[cfg(test)]
fn shorten(value: &Value, in_tags: bool) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = if in_tags {
                        k.clone()
                    } else {
                        FIELDS_V1
                            .iter()
                            .position(|f| f == k)
                            .map_or_else(|| k.clone(), |i| code(i).as_str().to_owned())
                    };
                    (key, shorten(v, !in_tags && k == "tags"))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| shorten(v, false)).collect()),
        other => other.clone(),
    }
}

/// The fragment payload of a plan: `1.<base64url>`.
pub fn encode(plan: &Plan) -> String {
    // Through text rather than `to_value`: the browser then carries one serializer of plans
    // (the compact one its API requests use), not two. The bytes are the same because the
    // workspace enables serde_json's `preserve_order` (field order kept) and `float_roundtrip`.
    // Written into a buffer sized for a large plan: grown from empty, the text was copied at
    // each doubling (about a tenth of a template's generation went to it).
    let mut text = Vec::with_capacity(PLAN_TEXT_ROOM);
    serde_json::to_writer(&mut text, plan).expect("plans serialize");
    let text = String::from_utf8(text).expect("serde_json writes UTF-8");
    format!(
        "1.{}",
        URL_SAFE_NO_PAD.encode(deflate(shorten_text(&text).as_bytes()))
    )
}

/// `text`, a plan as `serde_json` writes it compactly, with every object key that is a field
/// name replaced by its code, except the keys of `tags` (user data): the bytes that parsing it
/// into a `Value`, shortening that and writing it again gave, without building the `Value`.
/// Every token but a key is copied as it is: `serde_json` writes a string, and a number it read
/// (`float_roundtrip`), the same way each time. A field name needs no escape, so a key written
/// with one is never a field name.
fn shorten_text(text: &str) -> String {
    rekey(text, Rekey::Shorten).expect("shortening refuses no key")
}

/// Which way [`rekey`] renames keys.
#[derive(Clone, Copy, PartialEq)]
enum Rekey {
    /// A field name to its code; any other key is kept.
    Shorten,
    /// A code to its field name; any other key is refused ([`LinkError::UnknownField`]).
    Expand,
}

/// `text`, JSON that reads, with each object key outside a plan's `tags` renamed `way`. Every
/// other token, and the space between tokens, is copied as it is, so a key given twice stays
/// twice for the plan's reader to refuse (a `Value` would have kept the last one silently).
fn rekey(text: &str, way: Rekey) -> Result<String, LinkError> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    // Each open container: whether it is an object, and whether its keys are tags.
    let mut open: Vec<(bool, bool)> = Vec::new();
    // The next string is a key; the next value is the `tags` of a plan object.
    let mut key_next = false;
    let mut tags_next = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b @ (b'{' | b'[') => {
                // Only an object's keys can be tags' keys.
                let object = b == b'{';
                open.push((object, object && tags_next));
                key_next = object;
                tags_next = false;
                out.push(char::from(b));
                i += 1;
            }
            b'}' | b']' => {
                open.pop();
                out.push(char::from(bytes[i]));
                i += 1;
            }
            b',' => {
                key_next = matches!(open.last(), Some((true, _)));
                out.push(',');
                i += 1;
            }
            b @ (b':' | b' ' | b'\t' | b'\n' | b'\r') => {
                out.push(char::from(b));
                i += 1;
            }
            b'"' => {
                // The closing quote: the first one not escaped.
                let mut end = i + 1;
                while bytes[end] != b'"' {
                    end += if bytes[end] == b'\\' { 2 } else { 1 };
                }
                let token = &text[i..=end];
                let name = &text[i + 1..end];
                let field = if key_next && !matches!(open.last(), Some((true, true))) {
                    let index = match way {
                        Rekey::Shorten => FIELDS_V1.iter().position(|f| *f == name),
                        Rekey::Expand => Some(
                            (0..FIELDS_V1.len())
                                .find(|&i| code(i).as_str() == name)
                                .ok_or_else(|| LinkError::UnknownField(short(name)))?,
                        ),
                    };
                    if let Some(index) = index {
                        out.push('"');
                        match way {
                            Rekey::Shorten => out.push_str(code(index).as_str()),
                            Rekey::Expand => out.push_str(FIELDS_V1[index]),
                        }
                        out.push('"');
                    } else {
                        out.push_str(token);
                    }
                    index.map(|i| FIELDS_V1[i])
                } else {
                    out.push_str(token);
                    None
                };
                tags_next = field == Some("tags");
                key_next = false;
                i = end + 1;
            }
            _ => {
                // A number or a literal runs to the next separator or space.
                let start = i;
                while i < bytes.len()
                    && !matches!(bytes[i], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                {
                    i += 1;
                }
                out.push_str(&text[start..i]);
                tags_next = false;
            }
        }
    }
    Ok(out)
}

/// Raw deflate at level 10: the bytes `miniz_oxide::deflate::compress_to_vec(bytes, 10)` gives,
/// from one compressor per thread, reset between uses. A new compressor allocates about 320 KB
/// of tables; allocating them (fresh pages, page faults) was half the time of generating a
/// template, which records its plan's link. A reset zeroes the same tables in place. Each
/// thread that ever makes a link keeps its compressor while it lives.
fn deflate(mut input: &[u8]) -> Vec<u8> {
    use miniz_oxide::deflate::core::{
        CompressorOxide, TDEFLFlush, TDEFLStatus, compress, create_comp_flags_from_zip_params,
    };
    thread_local! {
        static COMPRESSOR: std::cell::RefCell<Option<Box<CompressorOxide>>> =
            const { std::cell::RefCell::new(None) };
    }
    COMPRESSOR.with_borrow_mut(|kept| {
        let compressor = match kept {
            Some(c) => {
                c.reset();
                c
            }
            None => kept.insert(Box::new(CompressorOxide::new(
                create_comp_flags_from_zip_params(10, 0, 0),
            ))),
        };
        // As `compress_to_vec` does it: an output half the input's size, grown when short.
        let mut output = vec![0; (input.len() / 2).max(2)];
        let mut out_pos = 0;
        loop {
            let (status, bytes_in, bytes_out) = compress(
                compressor,
                input,
                &mut output[out_pos..],
                TDEFLFlush::Finish,
            );
            out_pos += bytes_out;
            match status {
                TDEFLStatus::Done => {
                    output.truncate(out_pos);
                    return output;
                }
                TDEFLStatus::Okay if bytes_in <= input.len() => {
                    input = &input[bytes_in..];
                    if output.len().saturating_sub(out_pos) < 30 {
                        output.resize(output.len() * 2, 0);
                    }
                }
                other => unreachable!("deflating into a growing buffer: {other:?}"),
            }
        }
    })
}

/// Room left in [`MAX_LINK_CHARS`] for the page's own address before a link's fragment.
pub const ADDRESS_ROOM: usize = 256;

/// The longest version or date a link records for its price book.
const BOOK_FIELD_MAX: usize = 40;

/// Room left after the plan for how the Share button priced it (`&free_tier=off` and
/// `&book=<version>,<date>` at their longest). The comparison's side (`&compare=`) takes no
/// room of its own: a link it would make too long leaves it out, so that no plan valid before
/// it rode along is refused now.
pub const PRICING_ROOM: usize =
    1 + FREE_TIER_OFF.len() + 1 + BOOK_KEY.len() + BOOK_FIELD_MAX + 1 + BOOK_FIELD_MAX;

/// The longest a plan's own fragment (`#plan=1.…`) may be: what [`MAX_LINK_CHARS`] leaves
/// after the page's address and the pricing.
pub const FRAGMENT_ROOM: usize = MAX_LINK_CHARS - ADDRESS_ROOM - PRICING_ROOM;

/// The length of `plan`'s fragment (`#plan=1.…`) when it is over [`FRAGMENT_ROOM`], so that a
/// reader could refuse the link; `None` when it fits. A
/// plan's compact JSON bounds its link from above ([`fragment_bound`]), so a plan of ordinary
/// size is not deflated here.
pub fn too_long(plan: &Plan) -> Option<usize> {
    let limit = FRAGMENT_ROOM;
    let json = json_len(plan);
    if fragment_bound(json) <= limit {
        return None;
    }
    let fragment = 1 + FRAGMENT_KEY.len() + encode(plan).len();
    (fragment > limit).then_some(fragment)
}

/// The room a plan's compact JSON is written into: the examples take about 1.2 KB, a plan
/// with many variables, tables and tags several.
const PLAN_TEXT_ROOM: usize = 4 * 1024;

/// The length of `plan`'s compact JSON. Written into a buffer as [`encode`] writes it, not
/// counted by a writer of its own: another writer type would have the browser carry a second
/// copy of the whole plan's serializer (about 8 KB of wasm) to save a 4 KB buffer.
fn json_len(plan: &Plan) -> usize {
    let mut text = Vec::with_capacity(PLAN_TEXT_ROOM);
    serde_json::to_writer(&mut text, plan).expect("plans serialize");
    text.len()
}

/// At least the length of the fragment of a plan whose compact JSON is `json` bytes: the
/// shortened text is no longer than the JSON; deflate stores what it cannot compress with at
/// most 5 bytes per 64 KB block (a generous eighth and 64 bytes are allowed); base64 writes 4
/// characters per 3 bytes; then `#plan=1.`.
fn fragment_bound(json: usize) -> usize {
    let deflated = json + json / 8 + 64;
    1 + FRAGMENT_KEY.len() + 2 + deflated.div_ceil(3) * 4
}

/// A share link that also says how its sharer priced the plan: `&free_tier=off` after the
/// plan when the estimate left out the free tier, `&book=<version>,<date>` for the price
/// book it used (left out unless both are plain: see [`plain`]), and
/// `&compare=<memory>,<architecture>` for the comparison's other side when the sharer set it
/// (either may be empty: it follows the plan).
pub fn link_priced(
    plan: &Plan,
    base: &str,
    free_tier: bool,
    book: Option<(&str, &str)>,
    sides: Sides,
) -> String {
    let mut link = link(plan, base);
    if !free_tier {
        link.push('&');
        link.push_str(FREE_TIER_OFF);
    }
    if let Some((version, date)) = book.filter(|(v, d)| plain(v) && plain(d)) {
        link.push_str(&format!("&{BOOK_KEY}{version},{date}"));
    }
    let compare = format!(
        "&{COMPARE_KEY}{},{}",
        sides
            .lambda_memory_mb
            .map_or(String::new(), |m| m.to_string()),
        sides.lambda_architecture.map_or("", CpuArch::as_str)
    );
    if sides != Sides::default() && link.len() + compare.len() <= MAX_LINK_CHARS {
        link.push_str(&compare);
    }
    link
}

/// After the plan in a fragment: the comparison's other side as its sharer set it.
pub const COMPARE_KEY: &str = "compare=";

/// The comparison's other side a link says its sharer set: what of it reads (a memory Lambda
/// takes, an architecture by its name); the rest follows the plan.
pub fn sides_of(input: &str) -> Sides {
    let Some((memory, arch)) =
        fragment_parts(input).find_map(|part| part.strip_prefix(COMPARE_KEY)?.split_once(','))
    else {
        return Sides::default();
    };
    let lambda_memory_mb = (memory.len() <= 5 && memory.bytes().all(|b| b.is_ascii_digit()))
        .then(|| memory.parse::<u32>().ok())
        .flatten()
        .filter(|m| {
            (crate::validate::limits::MIN_LAMBDA_MEMORY_MB
                ..=crate::validate::limits::MAX_LAMBDA_MEMORY_MB)
                .contains(m)
        });
    let lambda_architecture = CpuArch::from_name(arch);
    Sides {
        lambda_memory_mb,
        lambda_architecture,
    }
}

/// After the plan in a fragment: the price book its sharer's estimate used.
pub const BOOK_KEY: &str = "book=";

/// Whether a price book's version or date can ride in a link: 1 to [`BOOK_FIELD_MAX`] of
/// `A–Z a–z 0–9 . _ : -`.
fn plain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= BOOK_FIELD_MAX
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// The `&`-separated parts of a link's fragment (or of a fragment, or a bare payload).
fn fragment_parts(input: &str) -> std::str::Split<'_, char> {
    input.rsplit_once('#').map_or(input, |(_, f)| f).split('&')
}

/// The price book a link says its sharer used: `(version, date)`, if the link has a plain one.
pub fn book_of(input: &str) -> Option<(String, String)> {
    fragment_parts(input)
        .find_map(|part| part.strip_prefix(BOOK_KEY)?.split_once(','))
        .filter(|(v, d)| plain(v) && plain(d))
        .map(|(v, d)| (v.to_string(), d.to_string()))
}

/// Whether a link, or a fragment, asks for the free tier to be counted (see [`FREE_TIER_OFF`]).
pub fn free_tier_of(input: &str) -> bool {
    !fragment_parts(input).any(|part| part == FREE_TIER_OFF)
}

/// A full share link: `<base>#plan=<payload>`.
pub fn link(plan: &Plan, base: &str) -> String {
    let base = base.split('#').next().unwrap_or(base);
    format!("{base}#{FRAGMENT_KEY}{}", encode(plan))
}

/// The query parameters that say how a host console framed the planner: the page reads them
/// (`app/src/embed.rs`), and a share link drops them ([`share_base`]).
pub mod framing {
    /// `embed=1`: the page runs inside another console.
    pub const EMBED: &str = "embed";
    /// `host=<origin>`: the console's origin, the only one events go to.
    pub const HOST: &str = "host";
    /// `hide-deploy`: planning only.
    pub const HIDE_DEPLOY: &str = "hide-deploy";
    pub const ALL: [&str; 3] = [EMBED, HOST, HIDE_DEPLOY];
}

/// The address a share link starts with, made from the page's own (`page`): without its
/// fragment, and without the query parameters that only say how a host console framed the
/// planner ([`framing`]). A link opened elsewhere is not inside that console,
/// and need not name it.
pub fn share_base(page: &str) -> String {
    let page = page.split('#').next().unwrap_or(page);
    let Some((path, query)) = page.split_once('?') else {
        return page.to_string();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let key = pair.split('=').next().unwrap_or(pair);
            !pair.is_empty() && !framing::ALL.contains(&key)
        })
        .collect();
    if kept.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

/// Reads a plan from a link, a fragment (`#plan=…`) or a bare payload (`1.…`).
pub fn decode(input: &str) -> Result<Plan, LinkError> {
    let input = input.trim();
    if input.len() > MAX_LINK_CHARS {
        return Err(LinkError::TooLong(input.len()));
    }
    // The plan is a part of the fragment (`#…&plan=…&…`), never of the address before it: a
    // base whose query holds `plan=` is not read as the plan.
    let keyed = match input.split_once('#') {
        Some((_, fragment)) => fragment
            .split('&')
            .find_map(|p| p.strip_prefix(FRAGMENT_KEY)),
        // An address without a fragment carries no plan, whatever its query holds (a payload
        // has no `/` or `?`: one there is an address's).
        None if input.contains(['/', '?']) => None,
        None => input.split('&').find_map(|p| p.strip_prefix(FRAGMENT_KEY)),
    };
    let payload = match keyed {
        Some(payload) => payload,
        None if input.contains('#') || input.contains("://") => return Err(LinkError::Missing),
        None => input,
    };
    // What a version that is no format's number says: a `plan=` link's payload was damaged;
    // text given bare ("plan.json", "-") was no link at all.
    let not_a_version = || match keyed {
        Some(_) => LinkError::Corrupt,
        None => LinkError::Missing,
    };
    let numbered = |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
    let payload = payload.split('&').next().unwrap_or(payload);
    if payload.is_empty() {
        return Err(LinkError::Missing);
    }
    let (version, data) = payload.split_once('.').ok_or_else(|| {
        // A known version and nothing after it: the link was cut short, not made elsewhere.
        if payload == "1" {
            LinkError::Corrupt
        } else if numbered(payload) {
            LinkError::UnknownVersion(short(payload))
        } else {
            not_a_version()
        }
    })?;
    if version != "1" {
        return Err(if numbered(version) {
            LinkError::UnknownVersion(short(version))
        } else {
            not_a_version()
        });
    }
    if !data
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(LinkError::NotBase64);
    }
    // Only the alphabet's letters, yet undecodable: the link was cut at an odd length.
    let bytes = URL_SAFE_NO_PAD
        .decode(data)
        .map_err(|_| LinkError::Corrupt)?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&bytes, MAX_INFLATED_BYTES)
        .map_err(|e| {
            if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
                LinkError::TooLarge
            } else {
                LinkError::Corrupt
            }
        })?;
    let text = std::str::from_utf8(&json).map_err(|_| LinkError::NotAPlan)?;
    // JSON that reads, and an object, before its keys are renamed in the text (which assumes
    // JSON that reads).
    match serde_json::from_str::<Value>(text) {
        Ok(v) if v.is_object() => {}
        // JSON, but no plan's shape: said as a plan file's would be.
        Ok(_) => return Err(LinkError::Plan(ParseError::NotAnObject)),
        Err(_) => return Err(LinkError::NotAPlan),
    }
    // Read as text, as a pasted plan is: the plan's reader then refuses a field or a tag given
    // twice, and the browser carries one deserializer of plans, not a second one over `Value`.
    Ok(Plan::from_unseen_json(&rekey(text, Rekey::Expand)?)?)
}

fn short(s: &str) -> String {
    s.chars().take(12).collect()
}

#[cfg(test)]
mod tests {
    /// The plan is read from the fragment only: a base whose query holds `plan=` makes a link
    /// that reads back (`stackplan link --base …`).
    #[test]
    fn a_base_with_plan_in_its_query_makes_a_link_that_reads() {
        let plan = examples::fargate();
        for base in [
            "http://example.com/?plan=abc",
            "http://example.com/?x=1&plan=abc",
            "http://example.com/#plan=old",
        ] {
            let made = link(&plan, base);
            assert_eq!(decode(&made), Ok(plan.clone()), "{made}");
        }
        // A plan in the query alone is no share link's.
        let code = encode(&plan);
        for query in [
            format!("http://example.com/?plan={code}"),
            format!("http://example.com/?a=1&plan={code}"),
            format!("example.com/?a=1&plan={code}"),
            format!("?plan={code}"),
        ] {
            assert_eq!(decode(&query), Err(LinkError::Missing), "{query}");
        }
        // The fragment's plan may follow other parts.
        assert_eq!(
            decode(&format!("https://x/#n=2&plan={code}")),
            Ok(plan.clone())
        );
        assert_eq!(decode(&format!("plan={code}")), Ok(plan.clone()));
        assert_eq!(decode(&code), Ok(plan));
    }

    /// A record's reasons speak of the record: every one of them, whatever its cause.
    #[test]
    fn a_record_is_not_called_a_link() {
        let errors = [
            LinkError::Missing,
            LinkError::TooLong(9000),
            LinkError::UnknownVersion("9".into()),
            LinkError::NotBase64,
            LinkError::Corrupt,
            LinkError::TooLarge,
            LinkError::NotAPlan,
            LinkError::UnknownField("zz".into()),
            LinkError::Plan(ParseError::Empty),
        ];
        for e in errors {
            let text = e.of_record();
            assert!(!text.contains("link"), "{e:?}: {text}");
            assert!(e.to_string().contains("link"), "{e:?}");
        }
    }

    /// A link says when its sharer left out the free tier; the plan reads the same either way.
    #[test]
    fn a_link_carries_the_free_tier_switch() {
        let plan = crate::examples::lambda();
        let none = Sides::default();
        let on = link_priced(&plan, "https://x.example/", true, None, none);
        let off = link_priced(&plan, "https://x.example/", false, None, none);
        assert_eq!(on, link(&plan, "https://x.example/"));
        assert_eq!(off, format!("{on}&free_tier=off"));
        assert!(free_tier_of(&on));
        assert!(!free_tier_of(&off));
        assert!(!free_tier_of(&off[off.find('#').unwrap()..]));
        assert_eq!(decode(&off).unwrap(), plan);
        // Only the fragment's own part counts.
        assert!(free_tier_of("https://x.example/?free_tier=off#plan=1.abc"));
        // The price book rides along, when its names are plain.
        let booked = link_priced(
            &plan,
            "https://x.example/",
            false,
            Some(("2026.10.2", "2026-10-08")),
            none,
        );
        assert_eq!(booked, format!("{off}&book=2026.10.2,2026-10-08"));
        assert_eq!(
            book_of(&booked),
            Some(("2026.10.2".to_string(), "2026-10-08".to_string()))
        );
        assert!(!free_tier_of(&booked));
        assert_eq!(decode(&booked).unwrap(), plan);
        assert_eq!(book_of(&on), None);
        let odd = link_priced(
            &plan,
            "https://x.example/",
            true,
            Some(("a&b", "2026-10-08")),
            none,
        );
        assert_eq!(odd, on);
        // A reader takes only a plain book, as a writer writes it.
        assert_eq!(book_of(&format!("{on}&book=<b>,2026-10-08")), None);
        assert_eq!(book_of(&format!("{on}&book={},2026", "9".repeat(41))), None);
        // The longest pricing a link can carry fits the room kept for it.
        let longest = link_priced(
            &plan,
            "",
            false,
            Some((&"v".repeat(BOOK_FIELD_MAX), &"d".repeat(BOOK_FIELD_MAX))),
            Sides::default(),
        );
        assert_eq!(longest.len() - link(&plan, "").len(), PRICING_ROOM);
        // The comparison's side rides along only while the link stays readable.
        let sides = Sides {
            lambda_memory_mb: Some(10_240),
            lambda_architecture: Some(CpuArch::X86_64),
        };
        let long_base = format!(
            "https://x.example/{}",
            "p".repeat(MAX_LINK_CHARS - on.len())
        );
        let full = link_priced(&plan, &long_base, true, None, sides);
        assert_eq!(full, link(&plan, &long_base));
        assert!(full.len() <= MAX_LINK_CHARS);
    }

    /// A link carries the comparison's other side as its sharer set it; what does not read
    /// follows the plan, and a link without it is the plan's own.
    #[test]
    fn a_link_carries_the_comparisons_other_side() {
        let plan = crate::examples::fargate();
        let base = link_priced(&plan, "https://x.example/", true, None, Sides::default());
        assert_eq!(sides_of(&base), Sides::default());
        for (sides, written) in [
            (
                Sides {
                    lambda_memory_mb: Some(1000),
                    lambda_architecture: Some(CpuArch::Arm64),
                },
                "&compare=1000,arm64",
            ),
            (
                Sides {
                    lambda_memory_mb: Some(1000),
                    lambda_architecture: None,
                },
                "&compare=1000,",
            ),
            (
                Sides {
                    lambda_memory_mb: None,
                    lambda_architecture: Some(CpuArch::X86_64),
                },
                "&compare=,x86_64",
            ),
        ] {
            let shared = link_priced(&plan, "https://x.example/", true, None, sides);
            assert_eq!(shared, format!("{base}{written}"));
            assert_eq!(sides_of(&shared), sides);
            assert_eq!(decode(&shared).unwrap(), plan);
        }
        for junk in [
            "&compare=64,arm64",
            "&compare=99999,risc",
            "&compare=1e3,",
            "&compare=",
        ] {
            let read = sides_of(&format!("{base}{junk}"));
            assert_eq!(read.lambda_memory_mb, None, "{junk}");
        }
        assert_eq!(
            sides_of(&format!("{base}&compare=64,arm64")).lambda_architecture,
            Some(CpuArch::Arm64)
        );
    }

    /// The counted length is the written text's, for every plan of the matrix.
    #[test]
    fn the_json_length_is_counted_as_written() {
        for (name, plan) in crate::examples::matrix() {
            assert_eq!(
                super::json_len(&plan),
                serde_json::to_string(&plan).unwrap().len(),
                "{name}"
            );
        }
    }

    #[test]
    fn a_share_link_does_not_carry_how_the_planner_was_framed() {
        for (page, base) in [
            (
                "https://p.example/?embed=1&host=https%3A%2F%2Fconsole.example&x=1#plan=1.abc",
                "https://p.example/?x=1",
            ),
            (
                "https://p.example/?embed=1&hide-deploy",
                "https://p.example/",
            ),
            ("https://p.example/app?host=h&", "https://p.example/app"),
            ("https://p.example/?hosts=2", "https://p.example/?hosts=2"),
            ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/"),
            ("http://127.0.0.1:8080/#token=x", "http://127.0.0.1:8080/"),
        ] {
            assert_eq!(super::share_base(page), base, "{page}");
        }
    }

    use super::*;
    use crate::examples;

    #[test]
    fn codes_are_unique_and_short() {
        let codes: std::collections::BTreeSet<String> = (0..FIELDS_V1.len())
            .map(|i| code(i).as_str().to_owned())
            .collect();
        assert_eq!(codes.len(), FIELDS_V1.len());
        assert!(codes.iter().all(|c| c.len() <= 2));
    }

    /// `too_long` deflates only plans its bound cannot clear: the bound is never below a real
    /// fragment, on every matrix plan and on plans with long values that do not compress.
    #[test]
    fn the_fragment_bound_is_never_below_the_fragment() {
        let mut next = crate::test_rng::xorshift(11);
        let mut plans: Vec<Plan> = examples::matrix().into_iter().map(|(_, p)| p).collect();
        for n in [10, 500, 3_000, 4_000] {
            let mut plan = examples::fargate();
            for i in 0..2 {
                let value: String = (0..n)
                    .map(|_| char::from(b'!' + (next() % 94) as u8))
                    .collect();
                plan.environment.push(crate::plan::EnvVar {
                    name: format!("NOISE_{i}"),
                    value: Some(value),
                    ..Default::default()
                });
            }
            plans.push(plan);
        }
        for plan in &plans {
            let json = serde_json::to_string(plan).unwrap().len();
            let fragment = 1 + FRAGMENT_KEY.len() + encode(plan).len();
            assert!(
                fragment_bound(json) >= fragment,
                "{fragment} > bound {}",
                fragment_bound(json)
            );
            assert_eq!(
                too_long(plan),
                (fragment > FRAGMENT_ROOM).then_some(fragment)
            );
        }
    }

    #[test]
    fn examples_round_trip_within_400_characters() {
        for plan in [examples::fargate(), examples::lambda()] {
            let url = link(&plan, "http://127.0.0.1:8080/");
            assert!(url.len() <= 400, "{} characters: {url}", url.len());
            assert_eq!(decode(&url).unwrap(), plan);
        }
    }

    /// Version 1 links written down literally (made by `stackplan link` on 2026-11-28): they
    /// must decode to these plans forever, whatever the encoder does now.
    const FARGATE_V1: &str = "https://stackplan.example/#plan=1.VU5JcoMwEPxLn2UFE-w4c8pW2f_gEjAOTsAiCGJiF39Pyz5FB83S08sRDjI3yCEIlW9hULAdwkxd6GdzziXkCN39cN12vuSmV9dw2muOyUAjXlElOT-DLYeU9ROSsXxBrllqyMImJGwigQKJXRjsIjHNDDwVx9Vyvczo8M1hbhObsO8gq5Ns4PKiUlf3VQwB6btBDQZINGO-1GB_-scoavALuWI50MrgNubXbu0OJN9BLrm7j0meCJS57bMP22yLzhN-Pku-QDauDvR4pRKTP8T7N94Xrqj0H-WdFF48EvRtuNHRNW2ttvANpukP";
    const LAMBDA_V1: &str = "#plan=1.XY_dTsMwDIXf5VxnVbsOJHLJA_CPxo8QyqhFCl1bkhQ0VXl3jhlcjNw4_o59bM9wsJXBBhbRDyMMXvid4kJcTIuKeQM7Q_pP4jEMDUkSt2X2JRtkA1Hd06XcP4OWyZLxDXbF8A57wtDBHhUlG1614YxZtTQ4p5EL2-MVfS_UxOBSJ-2SH_q6qGryK60Zx8K7vukkkFyT-JR03RvYxxlrgo9JQiuR7E4nrH_ukPDc6s6Od7KN4-__RK3fHarZ7KUoMbZDf-D1y_7bPfCTUof8ZHALm8IkBqewdZnzNw";

    #[test]
    fn links_made_by_version_1_keep_working() {
        // The plans they carried, as snapshots: later changes to the examples do not move them.
        insta::assert_snapshot!("fargate_v1", decode(FARGATE_V1).unwrap().to_json_pretty());
        insta::assert_snapshot!("lambda_v1", decode(LAMBDA_V1).unwrap().to_json_pretty());
    }

    #[test]
    fn environments_round_trip() {
        for (name, plan) in examples::matrix() {
            if name.ends_with("-environment") {
                assert!(!plan.environment.is_empty());
                assert_eq!(decode(&link(&plan, "http://x/")).unwrap(), plan, "{name}");
            }
        }
    }

    #[test]
    fn tag_keys_are_user_data_not_codes() {
        let mut plan = examples::fargate();
        plan.tags.insert("a".into(), "b".into());
        plan.tags.insert("version".into(), "x".into());
        assert_eq!(decode(&encode(&plan)).unwrap(), plan);
    }

    #[test]
    fn bad_links_say_what_is_wrong() {
        let good = encode(&examples::fargate());
        let cases = [
            ("", LinkError::Missing),
            ("http://x/#other=1", LinkError::Missing),
            ("2.abc", LinkError::UnknownVersion("2".into())),
            ("#plan=2.abc", LinkError::UnknownVersion("2".into())),
            ("#plan=3", LinkError::UnknownVersion("3".into())),
            // No link at all: a file's name, standard input's `-`, a word.
            ("plan.json", LinkError::Missing),
            ("-", LinkError::Missing),
            ("hello", LinkError::Missing),
            // A link's payload that is no format's: damaged.
            ("#plan=abc", LinkError::Corrupt),
            ("#plan=x.abc", LinkError::Corrupt),
            ("1.!!!", LinkError::NotBase64),
            (&good[..good.len() / 2], LinkError::Corrupt),
            (&good[..good.len() / 2 + 1], LinkError::Corrupt),
        ];
        for (input, expect) in cases {
            assert_eq!(decode(input).unwrap_err(), expect, "{input}");
        }
        assert_eq!(
            decode("#plan=1").unwrap_err(),
            LinkError::Corrupt,
            "a link cut right after its version"
        );
        assert_eq!(
            decode(&"a".repeat(MAX_LINK_CHARS + 1)).unwrap_err(),
            LinkError::TooLong(MAX_LINK_CHARS + 1)
        );
    }

    #[test]
    fn encoding_through_text_writes_what_encoding_through_a_value_wrote() {
        // Tags whose keys are field names, and strings with quotes, backslashes, control
        // characters and non-ASCII text, beside every plan of the matrix.
        let mut tricky = examples::fargate();
        for key in ["region", "tags", "project", "a", "\"quoted\" \\ tag", "é"] {
            tricky
                .tags
                .insert(key.into(), format!("{key} \u{1} \n \"x\": {{\"tags\": 1}}"));
        }
        tricky.project = "p\"roject\\".into();
        let mut plans = examples::matrix();
        plans.push(("tricky".into(), tricky));
        for (name, plan) in plans {
            let text = serde_json::to_string(&plan).unwrap();
            let value: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(
                shorten_text(&text).into_bytes(),
                serde_json::to_vec(&shorten(&value, false)).unwrap(),
                "{name}"
            );
            let value = serde_json::to_value(&plan).unwrap();
            let compact = serde_json::to_vec(&shorten(&value, false)).unwrap();
            let deflated = miniz_oxide::deflate::compress_to_vec(&compact, 10);
            let before = format!("1.{}", URL_SAFE_NO_PAD.encode(deflated));
            assert_eq!(encode(&plan), before, "{name}");
        }
    }

    /// The kept compressor, reset, deflates each input as a new one does: inputs of every size
    /// (empty, one byte, past the output's first size, past the 32 KB window), in turn.
    #[test]
    fn a_reset_compressor_deflates_as_a_new_one() {
        let mut seed = 7u64;
        let mut noise = |n: usize| -> Vec<u8> {
            (0..n)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let alphabet = b"{}[],:\"abcdefgh0123";
                    alphabet[(seed >> 58) as usize % alphabet.len()]
                })
                .collect()
        };
        let mut inputs: Vec<Vec<u8>> = vec![vec![], b"x".to_vec(), vec![b' '; 100_000]];
        inputs.extend([10, 300, 5_000, 40_000, 70_000, 300].map(&mut noise));
        for (name, plan) in examples::matrix() {
            inputs.push(serde_json::to_vec(&plan).unwrap());
            inputs.push(name.into_bytes());
        }
        for input in &inputs {
            assert_eq!(
                deflate(input),
                miniz_oxide::deflate::compress_to_vec(input, 10),
                "{} bytes",
                input.len()
            );
        }
    }

    /// A payload of these bytes, packed as version 1 packs a plan.
    fn packed(bytes: &[u8]) -> String {
        let deflated = miniz_oxide::deflate::compress_to_vec(bytes, 10);
        format!("1.{}", URL_SAFE_NO_PAD.encode(deflated))
    }

    #[test]
    fn a_link_to_a_wrong_plan_names_the_field_but_no_position_in_text_never_shown() {
        let mut value = serde_json::to_value(examples::fargate()).unwrap();
        value["fargate"]["vcpu"] = Value::from("lots");
        let payload = packed(&serde_json::to_vec(&shorten(&value, false)).unwrap());
        let LinkError::Plan(ParseError::Invalid { path, message, .. }) =
            decode(&payload).unwrap_err()
        else {
            panic!("not a plan error");
        };
        // Without serde's paths (the browser build) the place in the text names it as well.
        assert_eq!(path, "fargate.vcpu");
        assert!(
            message.starts_with("invalid type: string \"lots\""),
            "{message}"
        );
        assert!(!message.contains(" line "), "{message}");
    }

    #[test]
    fn a_field_code_past_the_table_is_from_a_newer_stackplan() {
        let next = code(FIELDS_V1.len());
        let text = format!("{{\"{}\":1}}", next.as_str());
        let err = decode(&packed(text.as_bytes())).unwrap_err();
        assert_eq!(err, LinkError::UnknownField(next.as_str().to_string()));
        assert!(
            err.to_string().contains("made by a newer Stackplan"),
            "{err}"
        );
    }

    #[test]
    fn a_link_that_unpacks_to_no_json_object_is_not_a_plan() {
        for bytes in [&b"\xff\xfe{}"[..], b"{\"a\":"] {
            assert_eq!(
                decode(&packed(bytes)).unwrap_err(),
                LinkError::NotAPlan,
                "{bytes:?}"
            );
        }
        // JSON that is no object (a plan's fields as an array, say) is not called damaged.
        for bytes in [&b"[1, 2]"[..], b"\"plan\"", b"7"] {
            assert_eq!(
                decode(&packed(bytes)).unwrap_err(),
                LinkError::Plan(ParseError::NotAnObject),
                "{bytes:?}"
            );
        }
    }

    /// A field or a tag given twice in a link's plan is refused, as in a plan file: the link's
    /// keys are renamed in its text, where a `Value` would have kept the last one silently.
    #[test]
    fn a_link_with_a_key_given_twice_is_refused_with_its_path() {
        let text = serde_json::to_string(&examples::fargate()).unwrap();
        let twice = [
            (
                text.replacen("\"project\":", "\"project\":\"other\",\"project\":", 1),
                "project",
                "duplicate field `project`",
            ),
            (
                text.replacen("\"tags\":{", "\"tags\":{\"env\":\"a\",\"env\":\"b\",", 1),
                "tags",
                "the key `env` is given twice",
            ),
        ];
        for (plan, field, said) in twice {
            assert_ne!(plan, text, "the example has no {field}");
            let LinkError::Plan(ParseError::Invalid { path, message, .. }) =
                decode(&packed(shorten_text(&plan).as_bytes())).unwrap_err()
            else {
                panic!("{field}: not a plan error");
            };
            assert!(path.starts_with(field), "{path}");
            assert!(message.starts_with(said), "{message}");
        }
    }

    /// A link's JSON read as written: space between its tokens is kept out of the way of the
    /// keys, and a key written with an escape is no code (the encoder never writes one).
    #[test]
    fn a_link_reads_its_json_however_spaced_and_refuses_escaped_codes() {
        let plan = examples::fargate();
        let value = shorten(&serde_json::to_value(&plan).unwrap(), false);
        let spaced = serde_json::to_string_pretty(&value)
            .unwrap()
            .replace(": ", " :\t\r\n ");
        assert_eq!(decode(&packed(spaced.as_bytes())), Ok(plan));
        let project = code(1);
        let escaped = format!("{{\"\\u00{:x}\":\"shop\"}}", project.as_str().as_bytes()[0]);
        assert_eq!(
            decode(&packed(escaped.as_bytes())).unwrap_err(),
            LinkError::UnknownField(format!("\\u00{:x}", project.as_str().as_bytes()[0]))
        );
    }

    #[test]
    fn a_decompression_bomb_is_refused() {
        let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b' '; 10 * MAX_INFLATED_BYTES], 10);
        let payload = format!("1.{}", URL_SAFE_NO_PAD.encode(bomb));
        assert!(payload.len() < MAX_LINK_CHARS);
        assert_eq!(decode(&payload).unwrap_err(), LinkError::TooLarge);
    }
}
