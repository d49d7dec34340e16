//! Fast text for the row-wise encoders: integers through `itoa`, dates and
//! timestamps digit by digit (no `core::fmt` per value).

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

/// Appends an integer.
#[inline]
pub(crate) fn push_int(out: &mut Vec<u8>, v: i64) {
    let mut buf = itoa::Buffer::new();
    out.extend_from_slice(buf.format(v).as_bytes());
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
