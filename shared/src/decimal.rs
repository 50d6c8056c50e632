//! Decimal text to `f64`, as Rust's `str::parse::<f64>` reads a finite number, through the
//! JSON reader the crate already has; and `f64` to text as `{}` and `{:.N}` write it
//! ([`Plain`], [`Fixed`]).
//!
//! The browser parses prices (the price book), plans (share links) and typed numbers. Rust's
//! own float parser brings a 10 KB table of powers of five and its code into the wasm, about
//! 14 KB gzipped; serde_json's reader, with `float_roundtrip`, is correctly rounded too and is
//! there anyway for plans. Both give the nearest `f64` to the decimal, so the results are the
//! same bits (tested against `str::parse` below).

/// The finite `f64` nearest `text`: an optional sign, digits with an optional `.` (either
/// side may be empty, not both), and an optional exponent (`e`/`E`, an optional sign,
/// digits). `None` for anything else, and for a value out of `f64`'s range ("inf", "NaN",
/// "1e999"), which `str::parse` would read as infinite or not a number.
pub fn parse_f64(text: &str) -> Option<f64> {
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match rest.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (rest, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return None;
    }
    if let Some(e) = exponent {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        if e.is_empty() || !digits(e) {
            return None;
        }
    }
    // JSON's form of the same number: its significant digits as one integer, without leading
    // or trailing zeros, and a decimal exponent. Without trailing zeros its last digit is not
    // 0, which serde_json's reader assumes of the digits it drops beyond the 768th (it trims
    // a fraction's trailing zeros itself, but not an integer's).
    let all = format!("{int}{frac}");
    let significant = all.trim_start_matches('0').trim_end_matches('0');
    let dropped = all.len() - all.trim_end_matches('0').len();
    let exponent = exponent.map_or(0, read_exponent);
    let exponent = exponent
        .saturating_sub(frac.len() as i64)
        .saturating_add(dropped as i64);
    let mut json = String::with_capacity(significant.len() + 24);
    if negative {
        json.push('-');
    }
    json.push_str(if significant.is_empty() {
        "0"
    } else {
        significant
    });
    json.push('e');
    json.push_str(&exponent.to_string());
    serde_json::from_str::<f64>(&json)
        .ok()
        .filter(|v| v.is_finite())
}

/// An exponent's value (already checked: an optional sign, then digits), held within ±10^15:
/// beyond that every finite mantissa overflows or underflows all the same, as it does at 10^15.
fn read_exponent(text: &str) -> i64 {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let digits = digits.trim_start_matches('0');
    const LIMIT: i64 = 1_000_000_000_000_000;
    let value = if digits.len() > 16 {
        LIMIT
    } else {
        digits.parse::<i64>().unwrap_or(0).min(LIMIT)
    };
    if negative { -value } else { value }
}

/// `f64` as Rust's `{}` writes it (`1`, `0.1`, `1e-7` as `0.0000001`), without Rust's float
/// formatter: serde_json's shortest digits (zmij; Rust's own shortest digits but for exact
/// ties, which are corrected, tested below), laid out as `{}` lays them out.
///
/// Rust's formatter (shortest and fixed digits, with their tables) was 10.4 KB of the
/// planner's wasm (5.4 KB gzipped); serde_json's is there anyway for plans. [`Fixed`] does
/// `{:.N}`. Every `f64` the browser's code writes goes through one of them, so Rust's is not in
/// the wasm at all: one `{}` of an `f64` anywhere (or an `f64` assertion's message, such as
/// `clamp`'s) brings it back, which `measure-web.mjs`'s breakdown shows as `flt2dec` functions.
pub struct Plain(pub f64);

impl std::fmt::Display for Plain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::fmt::Write;
        let v = self.0;
        let Some(sign) = finite_sign(v, f)? else {
            return Ok(());
        };
        // serde_json writes `1.0`, `0.1`, `1e20`, `1.5e-7`: digits, a point, an exponent
        // (at most 24 bytes; written on the stack, as the digits are gathered).
        let mut text = Stack::<32>::default();
        if let Some(n) = serde_json::Number::from_f64(v.abs()) {
            write!(text, "{n}")?;
        }
        let json = text.as_str();
        let (mantissa, exponent) = match json.split_once('e') {
            Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
            None => (json, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let mut all = Stack::<32>::default();
        all.write_str(int)?;
        all.write_str(frac)?;
        let digits = all.as_str().trim_start_matches('0');
        // The point's place among the significant digits.
        let point = int.len() as i32 - (int.len() + frac.len() - digits.len()) as i32 + exponent;
        let digits = digits.trim_end_matches('0');
        // Between two shortest forms equally near the value, Rust takes the upper one and
        // serde_json the even one: a value that is exactly halfway, which takes 17 or so
        // digits (2^-25 is 2.98023223876953125e-8: Rust writes …313, serde_json …312).
        let upper;
        let digits = if digits.len() >= 15
            && let Some(up) = halfway_up(v, digits)
        {
            upper = up;
            upper.as_str()
        } else {
            digits
        };
        f.write_str(sign)?;
        if digits.is_empty() {
            return f.write_str("0");
        }
        let len = digits.len() as i32;
        if point <= 0 {
            write!(f, "0.{}{digits}", Zeros(-point))
        } else if point >= len {
            write!(f, "{digits}{}", Zeros(point - len))
        } else {
            let (a, b) = digits.split_at(point as usize);
            write!(f, "{a}.{b}")
        }
    }
}

/// When `v` is exactly halfway between `digits` and its neighbour in the last place (its exact
/// digits are the lower of the two and a 5), the upper of the two; `None` otherwise.
fn halfway_up(v: f64, digits: &str) -> Option<String> {
    let (mut m, mut e) = binary_parts(v);
    if m == 0 {
        return None;
    }
    let zeros = m.trailing_zeros();
    m >>= zeros;
    e += zeros as i32;
    // Exact digits: m × 2^e, or m × 5^-e (the same digits as m / 2^-e).
    let mut exact = Big::from(u128::from(m));
    if e >= 0 {
        (0..e).for_each(|_| exact.times(2));
    } else {
        (0..-e).for_each(|_| exact.times(5));
    }
    let exact = exact.to_string();
    let exact = exact.trim_end_matches('0');
    let (head, last) = exact.split_at(exact.len().checked_sub(1)?);
    if last != "5" || head.len() != digits.len() {
        return None;
    }
    // The upper neighbour: head + 1 in its last place (no carry past the first digit: the
    // shortest form has as many digits).
    let mut up = head.as_bytes().to_vec();
    let carried = up.iter_mut().rev().all(|d| {
        let nine = *d == b'9';
        *d = if nine { b'0' } else { *d + 1 };
        nine
    });
    if carried {
        return None;
    }
    let up = String::from_utf8(up).ok()?;
    (digits == head || digits == up).then(|| up.trim_end_matches('0').to_string())
}

/// A short text written on the stack; writing past its `N` bytes is an error.
struct Stack<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Default for Stack<N> {
    fn default() -> Self {
        Stack {
            bytes: [0; N],
            len: 0,
        }
    }
}

impl<const N: usize> Stack<N> {
    fn as_str(&self) -> &str {
        // Only whole `str`s are written.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl<const N: usize> std::fmt::Write for Stack<N> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        self.bytes
            .get_mut(self.len..end)
            .ok_or(std::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The sign a finite `v` is written with (`-` for every negative, -0 too); for NaN and the
/// infinities, writes them as Rust does and answers `None`.
fn finite_sign(
    v: f64,
    f: &mut std::fmt::Formatter<'_>,
) -> Result<Option<&'static str>, std::fmt::Error> {
    let sign = if v.is_sign_negative() { "-" } else { "" };
    if v.is_nan() {
        f.write_str("NaN")?;
    } else if v.is_infinite() {
        write!(f, "{sign}inf")?;
    } else {
        return Ok(Some(sign));
    }
    Ok(None)
}

/// `n` zeros.
struct Zeros(i32);

impl std::fmt::Display for Zeros {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (0..self.0).try_for_each(|_| f.write_str("0"))
    }
}

/// `f64` with `N` decimals as Rust's `{:.N}` writes it: the exact binary value rounded to
/// `N` decimals, a tie to even, a negative value keeping its sign (`-0.0`). `N` is at most 19.
pub struct Fixed<const N: u32>(pub f64);

impl<const N: u32> std::fmt::Display for Fixed<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const { assert!(N <= 19, "at most 19 decimals") };
        use std::fmt::Write;
        let v = self.0;
        let Some(sign) = finite_sign(v, f)? else {
            return Ok(());
        };
        // v = m × 2^e exactly; the digits are m × 2^e × 10^N rounded to an integer.
        let (m, e) = binary_parts(v);
        f.write_str(sign)?;
        if e >= 0 {
            // An integer: its digits, then N zeros (no rounding).
            let mut limbs = Big::from(u128::from(m));
            (0..e).for_each(|_| limbs.times(2));
            write!(f, "{limbs}")?;
            if N > 0 {
                write!(f, ".{}", Zeros(N as i32))?;
            }
            return Ok(());
        }
        // scaled < 2^53 × 10^19 < 2^117, so past 117 bits of shift it is under a half.
        let scaled = u128::from(m) * 10u128.pow(N);
        let k = e.unsigned_abs();
        let rounded = if k >= 118 {
            0
        } else {
            let q = scaled >> k;
            let r = scaled - (q << k);
            let half = 1u128 << (k - 1);
            q + u128::from(r > half || (r == half && q & 1 == 1))
        };
        // At most 36 digits (rounded < 2^117 + 1).
        let mut digits = Stack::<40>::default();
        write!(digits, "{rounded}")?;
        let digits = digits.as_str();
        let n = N as usize;
        // At least one digit before the point.
        let (whole, lead, fraction) = match digits.len().checked_sub(n) {
            Some(0) | None => ("0", n - digits.len(), digits),
            Some(cut) => (&digits[..cut], 0, &digits[cut..]),
        };
        f.write_str(whole)?;
        if n > 0 {
            write!(f, ".{}{fraction}", Zeros(lead as i32))?;
        }
        Ok(())
    }
}

/// `v`'s magnitude as `m × 2^e` exactly: its mantissa (with the hidden bit) and exponent.
fn binary_parts(v: f64) -> (u64, i32) {
    let bits = v.abs().to_bits();
    match (bits >> 52) as i32 {
        0 => (bits & ((1 << 52) - 1), -1074),
        biased => ((bits & ((1 << 52) - 1)) | (1 << 52), biased - 1075),
    }
}

/// A natural number in base 10^9 limbs, least significant first: the digits of a large
/// integral `f64`.
struct Big(Vec<u32>);

impl Big {
    const BASE: u64 = 1_000_000_000;

    fn from(mut n: u128) -> Self {
        let mut limbs = Vec::new();
        while n > 0 {
            limbs.push((n % u128::from(Self::BASE)) as u32);
            n /= u128::from(Self::BASE);
        }
        Big(limbs)
    }

    /// Multiplies by `k` (small).
    fn times(&mut self, k: u64) {
        let mut carry = 0;
        for limb in &mut self.0 {
            let x = u64::from(*limb) * k + carry;
            *limb = (x % Self::BASE) as u32;
            carry = x / Self::BASE;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }
}

impl std::fmt::Display for Big {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.split_last() {
            None => f.write_str("0"),
            Some((top, rest)) => {
                write!(f, "{top}")?;
                rest.iter()
                    .rev()
                    .try_for_each(|limb| write!(f, "{limb:09}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_f64;

    /// The same bits as `str::parse` for every finite number it reads, and `None` where it
    /// fails or reads a non-finite value.
    fn agrees(text: &str) {
        let theirs = text.parse::<f64>().ok().filter(|v| v.is_finite());
        assert_eq!(
            parse_f64(text).map(f64::to_bits),
            theirs.map(f64::to_bits),
            "{text:?}"
        );
    }

    #[test]
    fn reads_what_rust_reads() {
        for text in [
            "0",
            "-0",
            "+0",
            "1",
            "007",
            "0.5",
            ".5",
            "5.",
            "-.5",
            "+2.25",
            "1e3",
            "1E-3",
            "2.5e+10",
            "0.0000166667",
            "0.04048",
            "1234567890123456789012345",
            "0.1",
            "0.2",
            "0.30000000000000004",
            "9007199254740993",
            "2.2250738585072011e-308",
            "4.9406564584124654e-324",
            "1.7976931348623157e308",
            "1e-400",
            "17976931348623159e292",
            "0.000000000000000000000000000001",
            "123456.789e-3",
        ] {
            agrees(text);
        }
    }

    #[test]
    fn refuses_what_is_not_a_finite_number() {
        for text in [
            "", "-", "+", ".", "e5", "1e", "1e+", "1.2.3", "1e5.5", "--1", "+-1", " 1", "1 ",
            "0x10", "1_000", "inf", "-inf", "infinity", "NaN", "nan", "1e999", "-1e999", "١",
        ] {
            agrees(text);
            assert_eq!(parse_f64(text), None, "{text:?}");
        }
    }

    /// Past 768 digits serde_json keeps the first ones and takes the rest for non-zero: right for
    /// a fraction, whose trailing zeros it trims, wrong for an integer's, which are moved into
    /// the exponent here. 2^53 + 1 written with 784 zeros is a tie, rounded to even.
    #[test]
    fn long_numbers_round_as_rust_rounds_them() {
        let zeros = "0".repeat(784);
        for text in [
            format!("9007199254740993{zeros}e-784"),
            format!("9007199254740993{zeros}.000e-784"),
            format!("0.{zeros}9007199254740993e800"),
            format!("9007199254740993.{zeros}"),
            format!("{}1", "9".repeat(900)),
            format!("0.{}e-300", "3".repeat(2000)),
        ] {
            agrees(&text);
        }
        assert_eq!(
            parse_f64(&format!("9007199254740993{zeros}e-784")),
            Some(9007199254740992.0)
        );
    }

    /// Pseudo-random decimals of every length and exponent: the same bits every time.
    #[test]
    fn agrees_on_many_decimals() {
        let mut next = crate::test_rng::xorshift(0x2545_f491_4f6c_dd1d);
        for _ in 0..20_000 {
            let digits = next().to_string();
            let digits = &digits[..1 + (next() % digits.len() as u64) as usize];
            let point = (next() % (digits.len() as u64 + 1)) as usize;
            let exponent = (next() % 700) as i64 - 350;
            let text = match next() % 3 {
                0 => format!("{}.{}", &digits[..point], &digits[point..]),
                1 => format!("{}.{}e{exponent}", &digits[..point], &digits[point..]),
                _ => format!("-{digits}e{exponent}"),
            };
            agrees(&text);
        }
    }
    /// `Plain` and `Fixed` write what `{}` and `{:.N}` write: special values, ties, signs,
    /// every binary exponent, and pseudo-random values of every magnitude.
    #[test]
    fn formats_as_rust_formats() {
        use super::{Fixed, Plain};
        fn check(v: f64) {
            assert_eq!(Plain(v).to_string(), format!("{v}"), "{v:e}");
            assert_eq!(Fixed::<0>(v).to_string(), format!("{v:.0}"), "{v:e}");
            assert_eq!(Fixed::<1>(v).to_string(), format!("{v:.1}"), "{v:e}");
            assert_eq!(Fixed::<2>(v).to_string(), format!("{v:.2}"), "{v:e}");
            assert_eq!(Fixed::<12>(v).to_string(), format!("{v:.12}"), "{v:e}");
            assert_eq!(Fixed::<19>(v).to_string(), format!("{v:.19}"), "{v:e}");
        }
        for v in [
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            -0.5,
            0.25,
            0.125,
            0.375,
            1.0,
            10.0,
            0.1,
            0.2,
            0.3,
            -0.01,
            0.05,
            0.15,
            0.995,
            1e-7,
            1.5e-7,
            1e15,
            1e16,
            1e20,
            1e21,
            1e22,
            123456.789,
            3.7000000000000006,
            0.0000166667,
            5e-324,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            9007199254740993.0,
            4503599627370497.5,
        ] {
            check(v);
        }
        for e in -1074..=1023 {
            check(2f64.powi(e));
            check(-3.0 * 2f64.powi(e - 2));
        }
        let mut next = crate::test_rng::xorshift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let v = f64::from_bits(next());
            if v.is_finite() {
                check(v);
            }
            // Values as plans and prices have them: cents, tenths, ratios.
            let small = (next() % 2_000_000_000) as f64
                / [1.0, 10.0, 100.0, 1000.0, 7.0][(next() % 5) as usize];
            check(small);
            check(-small);
        }
    }
}
