//! Decimal text to `f64`, as Rust's `str::parse::<f64>` reads a finite number, through the
//! JSON reader the crate already has.
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
}
