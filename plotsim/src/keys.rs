//! The documented key formats. Every key is a pure function of the plan and
//! an entity ordinal (plus, later, a per-entity sequence), so any block,
//! thread or shard writes its rows without knowing the others.
//!
//! - Entity primary key: `<prefix>-NNN`, the ordinal plus one, zero-padded
//!   to max(3, digits of the entity count): `c-001`, `company-0042`.
//! - `dim_date.date_key`: `YYYYMMDD` of the period's start day.

use std::sync::Arc;

/// How the keys of one table are spelled: `<prefix>-<ordinal + 1, zero-padded>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyFormat {
    prefix: Arc<str>,
    width: usize,
}

impl KeyFormat {
    /// The key format for `n_entities` entities with `prefix`.
    pub fn new(prefix: &str, n_entities: u64) -> Self {
        KeyFormat {
            prefix: prefix.into(),
            width: digits(n_entities).max(3),
        }
    }

    /// The prefix before the dash.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Appends the key of `ordinal` to `out`.
    pub fn write(&self, out: &mut Vec<u8>, ordinal: u64) {
        out.extend_from_slice(self.prefix.as_bytes());
        out.push(b'-');
        write_padded(out, ordinal + 1, self.width);
    }

    /// The key of `ordinal`.
    pub fn key(&self, ordinal: u64) -> String {
        let mut out = Vec::with_capacity(self.prefix.len() + 1 + self.width);
        self.write(&mut out, ordinal);
        String::from_utf8(out).unwrap_or_default()
    }

    /// The ordinal of a key of this format, if it is one.
    pub fn parse(&self, key: &str) -> Option<u64> {
        let digits = key.strip_prefix(&*self.prefix)?.strip_prefix('-')?;
        if digits.len() < self.width || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse::<u64>().ok()?.checked_sub(1)
    }
}

/// The primary key of entity `ordinal` (0-based): `<prefix>-NNN`, numbered
/// from 1 and zero-padded to max(3, digits of the entity count).
///
/// # Example
/// ```
/// assert_eq!(plotsim::keys::entity_key("c", 0, 100), "c-001");
/// assert_eq!(plotsim::keys::entity_key("company", 41, 1500), "company-0042");
/// ```
pub fn entity_key(prefix: &str, ordinal: u64, n_entities: u64) -> String {
    KeyFormat::new(prefix, n_entities).key(ordinal)
}

/// Decimal digits of `n` (1 for 0).
#[inline]
pub(crate) fn digits(n: u64) -> usize {
    // Comparisons, not divisions: this runs once per CSV number.
    let mut d = 1;
    let mut next = 10u64;
    while d < 20 && n >= next {
        d += 1;
        next = next.wrapping_mul(10);
    }
    d
}

/// Appends `n` zero-padded to `width` digits.
pub(crate) fn write_padded(out: &mut Vec<u8>, n: u64, width: usize) {
    let mut buf = itoa::Buffer::new();
    let s = buf.format(n);
    out.extend(std::iter::repeat_n(b'0', width.saturating_sub(s.len())));
    out.extend_from_slice(s.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        let k = KeyFormat::new("company", 1500);
        assert_eq!(k.key(41), "company-0042");
        assert_eq!(k.parse("company-0042"), Some(41));
        assert_eq!(k.parse("company-42"), None);
        assert_eq!(k.parse("c-0042"), None);
        assert_eq!(KeyFormat::new("c", 7).key(6), "c-007");
        assert_eq!(KeyFormat::new("c", 1000).key(999), "c-1000");
    }

    #[test]
    fn digits_count_decimal_digits() {
        assert_eq!(digits(0), 1);
        assert_eq!(digits(u64::MAX), 20);
        for k in 1..20 {
            let p = 10u64.pow(k);
            assert_eq!((digits(p - 1), digits(p)), (k as usize, k as usize + 1));
        }
    }
}

/// Keys of event rows: `<prefix>-<entity number>-<sequence>`, the entity
/// numbered from 1 like its unit key and the row from 1 within the entity and
/// table (5 digits, growing when needed). A pure function of (entity, row of
/// that entity), so any block writes its keys without knowing the others.
///
/// # Example
/// ```
/// let k = plotsim::keys::EventKeyFormat::new("login", 150);
/// assert_eq!(k.key(6, 0), "login-007-00001");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventKeyFormat {
    prefix: String,
    width: usize,
}

impl EventKeyFormat {
    /// The format for `n_entities` entities.
    pub fn new(prefix: &str, n_entities: u64) -> Self {
        EventKeyFormat {
            prefix: prefix.to_owned(),
            width: n_entities.to_string().len().max(3),
        }
    }

    /// The key of row `seq` (0-based) of entity `ordinal` (0-based).
    pub fn key(&self, ordinal: u64, seq: u64) -> String {
        format!(
            "{}-{:0w$}-{:05}",
            self.prefix,
            ordinal + 1,
            seq + 1,
            w = self.width
        )
    }
}
