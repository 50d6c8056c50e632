//! The tests' one source of varied inputs: a seeded xorshift64, the same numbers on every run.

/// Marsaglia's xorshift64 from `seed` (which must not be zero).
pub fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
    assert_ne!(seed, 0, "xorshift stays at zero");
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}
