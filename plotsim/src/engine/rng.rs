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
    #[inline(always)]
    pub fn normal(&mut self) -> f64 {
        super::distribution::normal::ziggurat(|| self.0.next_u64())
    }

    /// A uniform integer in `[0, n)` (n >= 1), by multiply-shift on 64 bits.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.0.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// The stream read through a local buffer of words, for a loop of many
    /// draws ([`Words`]).
    pub fn words(self) -> Words {
        Words {
            stream: self,
            buf: [0; WORDS],
            at: WORDS,
        }
    }

    /// The underlying generator, for fake-data crates that take an `Rng`.
    pub fn rng(&mut self) -> &mut ChaCha8Rng {
        &mut self.0
    }
}

/// Words a [`Words`] reader takes from its stream at a time (two ChaCha8
/// blocks).
const WORDS: usize = 32;

/// A stream read word by word from a buffer on the stack: the same words in
/// the same order as [`Stream`]'s own draws (so the same uniforms and
/// normals), with one bounds check per word instead of the generator's
/// block bookkeeping. It owns the stream: words it has buffered are never
/// read by anything else.
#[derive(Debug)]
pub struct Words {
    stream: Stream,
    buf: [u64; WORDS],
    at: usize,
}

impl Words {
    /// The next word.
    #[inline(always)]
    pub fn next_word(&mut self) -> u64 {
        if self.at == WORDS {
            self.refill();
        }
        let w = self.buf[self.at];
        self.at += 1;
        w
    }

    #[inline(never)]
    fn refill(&mut self) {
        let mut bytes = [0u8; 8 * WORDS];
        self.stream.0.fill_bytes(&mut bytes);
        for (w, b) in self.buf.iter_mut().zip(bytes.chunks_exact(8)) {
            let mut le = [0u8; 8];
            le.copy_from_slice(b);
            *w = u64::from_le_bytes(le);
        }
        self.at = 0;
    }

    /// A uniform in (0, 1), as [`Stream::uniform`].
    #[inline(always)]
    pub fn uniform(&mut self) -> f64 {
        open_unit(self.next_word())
    }

    /// A standard normal draw, as [`Stream::normal`].
    #[inline(always)]
    pub fn normal(&mut self) -> f64 {
        super::distribution::normal::ziggurat(|| self.next_word())
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
    fn words_are_the_streams_words_in_order() {
        let name = [Part::Str("metric"), Part::U64(3)];
        let (mut s, mut w) = (stream(9, &name), stream(9, &name).words());
        // Across several refills, mixing uniforms and normals.
        for i in 0..200 {
            if i % 3 == 0 {
                assert_eq!(s.uniform().to_bits(), w.uniform().to_bits(), "draw {i}");
            } else {
                assert_eq!(s.normal().to_bits(), w.normal().to_bits(), "draw {i}");
            }
        }
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
