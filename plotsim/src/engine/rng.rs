//! Named random streams.
//!
//! Every random draw comes from a ChaCha8 stream whose 32-byte seed is a fixed
//! hash of `(run seed, purpose, keys...)`. Keys are names and indices, never
//! positions in lists, so adding a segment, a metric or a table leaves every
//! other stream unchanged.
//!
//! The hash: a SplitMix64 state starts at the run seed; every part is folded
//! in as its length, then its bytes in little-endian 8-byte words (the last
//! one zero-padded), each fold being `state = splitmix64(state ^ word)`.
//! Integers are folded as their 8 little-endian bytes with a distinct tag. The
//! ChaCha8 seed is the next four SplitMix64 outputs. Changing any of this is an
//! `algorithm_version` bump.

use rand::rngs::ChaCha8Rng;
use rand::{Rng, SeedableRng};

/// One component of a stream name.
#[derive(Debug, Clone, Copy)]
pub enum Part<'a> {
    /// A name: purpose, segment, metric, table, column.
    Str(&'a str),
    /// An index: entity index within its segment, period, row.
    U64(u64),
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The 64-bit hash of a stream name (exposed for key derivations and tests).
pub fn hash(seed: u64, parts: &[Part<'_>]) -> u64 {
    let mut h = splitmix64(seed);
    for part in parts {
        match part {
            Part::Str(s) => {
                h = splitmix64(h ^ (s.len() as u64) ^ 0x5354_5200_0000_0000);
                for chunk in s.as_bytes().chunks(8) {
                    let mut w = [0u8; 8];
                    w[..chunk.len()].copy_from_slice(chunk);
                    h = splitmix64(h ^ u64::from_le_bytes(w));
                }
            }
            Part::U64(v) => {
                h = splitmix64(h ^ 0x4E55_4D00_0000_0008);
                h = splitmix64(h ^ v);
            }
        }
    }
    h
}

/// A ChaCha8 stream for `(seed, parts...)`.
pub fn stream(seed: u64, parts: &[Part<'_>]) -> Stream {
    let mut h = hash(seed, parts);
    let mut key = [0u8; 32];
    for chunk in key.chunks_mut(8) {
        h = splitmix64(h);
        chunk.copy_from_slice(&h.to_le_bytes());
    }
    Stream(ChaCha8Rng::from_seed(key))
}

/// The uniform in (0, 1) of a 64-bit word: `((x >> 11) + 0.5) · 2⁻⁵³`.
#[inline]
pub fn open_unit(bits: u64) -> f64 {
    ((bits >> 11) as f64 + 0.5) * (1.0 / 9_007_199_254_740_992.0)
}

/// A named random stream: uniforms in the open interval (0, 1).
#[derive(Debug)]
pub struct Stream(ChaCha8Rng);

impl Stream {
    /// A uniform in (0, 1): [`open_unit`] of the next word.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        open_unit(self.0.next_u64())
    }

    /// A standard normal draw, by the ziggurat method
    /// ([`super::distribution::normal::ziggurat`]: one word for about 99 % of
    /// draws).
    #[inline]
    pub fn normal(&mut self) -> f64 {
        super::distribution::normal::ziggurat(|| self.0.next_u64())
    }

    /// A uniform integer in `[0, n)` (n >= 1), by multiply-shift on 64 bits.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.0.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// The underlying generator, for fake-data crates that take an `Rng`.
    pub fn rng(&mut self) -> &mut ChaCha8Rng {
        &mut self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_stable_and_distinct() {
        // Golden values: a change here changes every dataset (algorithm_version bump).
        let mut s = stream(
            7,
            &[Part::Str("metric"), Part::Str("growers"), Part::U64(0)],
        );
        let first = s.uniform();
        assert!(first > 0.0 && first < 1.0);
        let again = stream(
            7,
            &[Part::Str("metric"), Part::Str("growers"), Part::U64(0)],
        )
        .uniform();
        assert_eq!(first, again);
        let other = stream(
            7,
            &[Part::Str("metric"), Part::Str("growers"), Part::U64(1)],
        )
        .uniform();
        assert_ne!(first, other);
        // Parts are length-delimited: ("ab", "c") differs from ("a", "bc").
        assert_ne!(
            hash(1, &[Part::Str("ab"), Part::Str("c")]),
            hash(1, &[Part::Str("a"), Part::Str("bc")])
        );
        assert_ne!(hash(1, &[Part::U64(3)]), hash(1, &[Part::Str("\u{3}")]));
    }

    #[test]
    fn below_is_in_range() {
        let mut s = stream(1, &[Part::Str("t")]);
        for n in [1u64, 2, 3, 10, 1 << 40] {
            for _ in 0..100 {
                assert!(s.below(n) < n);
            }
        }
    }
}
