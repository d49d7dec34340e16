//! Fast text for the row-wise encoders: integers, fixed-point decimals,
//! dates and timestamps digit by digit (no `core::fmt` per value).

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

/// Appends an integer.
#[inline]
pub(crate) fn push_int(out: &mut Vec<u8>, v: i64) {
    push_decimal(out, v < 0, v.unsigned_abs(), None);
}

/// "00" to "99".
const PAIRS: [u8; 200] = {
    let mut t = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

/// The two digits of `v` < 100.
#[inline]
fn pair(v: u64) -> &'static [u8] {
    let i = 2 * v as usize;
    &PAIRS[i..i + 2]
}

/// Appends `-` when `negative`, the digits of `whole`, and with
/// `Some(f)` (f < 10⁴) a point and `f` as four digits.
///
/// The text is laid out in a fixed-size buffer from its first byte and
/// copied whole (a constant-size copy, a few vector stores), then the
/// vector is cut to the text's length: no variable-length `memcpy` call
/// per value.
#[inline]
pub(crate) fn push_decimal(out: &mut Vec<u8>, negative: bool, whole: u64, fraction: Option<u64>) {
    // Sign, 20 digits, point, 4 decimals.
    let mut buf = [0u8; 32];
    let sign = usize::from(negative);
    buf[0] = b'-';
    let end = sign + crate::keys::digits(whole);
    // Two digits at a time from the right.
    let (mut w, mut at) = (whole, end);
    while w >= 100 {
        at -= 2;
        buf[at..at + 2].copy_from_slice(pair(w % 100));
        w /= 100;
    }
    if w >= 10 {
        buf[at - 2..at].copy_from_slice(pair(w));
    } else {
        buf[at - 1] = b'0' + w as u8;
    }
    let mut len = end;
    if let Some(f) = fraction {
        buf[len] = b'.';
        buf[len + 1..len + 3].copy_from_slice(pair(f / 100));
        buf[len + 3..len + 5].copy_from_slice(pair(f % 100));
        len += 5;
    }
    let at = out.len();
    out.extend_from_slice(&buf);
    out.truncate(at + len);
}

fn two(out: &mut Vec<u8>, x: u32) {
    out.extend_from_slice(&[b'0' + (x / 10 % 10) as u8, b'0' + (x % 10) as u8]);
}

/// Appends `YYYY-MM-DD` (years 1000-9999, as plotsim's windows are).
#[inline]
pub(crate) fn push_date(out: &mut Vec<u8>, d: NaiveDate) {
    let y = d.year();
    if !(1000..=9999).contains(&y) {
        out.extend_from_slice(d.format("%Y-%m-%d").to_string().as_bytes());
        return;
    }
    let y = y as u32;
    two(out, y / 100);
    two(out, y % 100);
    out.push(b'-');
    two(out, d.month());
    out.push(b'-');
    two(out, d.day());
}

/// Appends `YYYY-MM-DD HH:MM:SS`.
pub(crate) fn push_timestamp(out: &mut Vec<u8>, v: NaiveDateTime) {
    push_date(out, v.date());
    out.push(b' ');
    let t = v.time();
    two(out, t.hour());
    out.push(b':');
    two(out, t.minute());
    out.push(b':');
    two(out, t.second());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_match_std_formatting() {
        let mut cases = vec![0, 1, -1, 9, 10, 99, 100, i64::MAX, i64::MIN, -1_000_000];
        for k in 0..19 {
            let p = 10i64.pow(k);
            cases.extend([p - 1, p, p + 1, -p, 1 - p]);
        }
        for v in cases {
            let mut out = b"x,".to_vec();
            push_int(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), format!("x,{v}"));
        }
    }

    #[test]
    fn dates_and_timestamps_match_chrono() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 9).unwrap();
        let mut out = Vec::new();
        push_date(&mut out, d);
        out.push(b'|');
        push_timestamp(&mut out, d.and_hms_opt(7, 5, 59).unwrap());
        out.push(b'|');
        push_int(&mut out, -42);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "2024-03-09|2024-03-09 07:05:59|-42"
        );
    }
}
