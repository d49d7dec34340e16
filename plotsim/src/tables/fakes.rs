//! Fake-data cells (`faker.<kind>`): the original's allow-list of kinds,
//! through the `fake` crate where it has the kind, else from the cell's own
//! stream directly. Every value is drawn from the caller's named stream, so a
//! cell never depends on the thread or batch that makes it.

use fake::Fake;
use fake::faker::address::raw::{
    BuildingNumber, CityName, CountryCode, CountryName, Latitude, Longitude, PostCode, StateName,
    StreetName, StreetSuffix, ZipCode,
};
use fake::faker::company::raw::{Bs, CatchPhrase, CompanyName};
use fake::faker::currency::raw::{CurrencyCode, CurrencyName};
use fake::faker::filesystem::raw::{FileExtension, FileName, MimeType};
use fake::faker::internet::raw::{DomainSuffix, IPv4, IPv6, MACAddress, SafeEmail, Username};
use fake::faker::job::raw::Title as JobTitle;
use fake::faker::lorem::raw::{Paragraph, Sentence, Word, Words};
use fake::faker::name::raw::{FirstName, LastName, Name};
use fake::faker::phone_number::raw::PhoneNumber;
use fake::locales;

use crate::engine::rng::Stream;

/// A fake cell: text, or an integer for `year`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FakeValue {
    Int(i64),
    Text(String),
}

/// Whether a kind gives integers (`year`) rather than text.
pub(crate) fn is_integer(kind: &str) -> bool {
    kind == "year"
}

/// The twelve industries of `faker.industry`.
const INDUSTRIES: [&str; 12] = [
    "Technology",
    "Healthcare",
    "Finance",
    "Retail",
    "Manufacturing",
    "Education",
    "Energy",
    "Media",
    "Transportation",
    "Hospitality",
    "Real Estate",
    "Telecommunications",
];

/// Colour names of `faker.color_name`.
const COLORS: [&str; 16] = [
    "Black", "White", "Red", "Green", "Blue", "Yellow", "Orange", "Purple", "Pink", "Brown",
    "Gray", "Cyan", "Magenta", "Navy", "Teal", "Olive",
];

/// A uniform integer in `[lo, hi]`.
fn between(s: &mut Stream, lo: i64, hi: i64) -> i64 {
    let (lo, hi) = (lo.min(hi), hi.max(lo));
    lo + s.below((hi - lo) as u64 + 1) as i64
}

fn pick<'a>(s: &mut Stream, items: &[&'a str]) -> &'a str {
    items[s.below(items.len() as u64) as usize]
}

fn hex(s: &mut Stream, bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", s.below(256)))
        .collect()
}

fn digits(s: &mut Stream, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + s.below(10) as u8))
        .collect()
}

/// A date uniform over the years `from..=to`.
fn date(s: &mut Stream, from: i32, to: i32) -> chrono::NaiveDate {
    let start = chrono::NaiveDate::from_ymd_opt(from, 1, 1).unwrap_or_default();
    let end = chrono::NaiveDate::from_ymd_opt(to, 12, 31).unwrap_or_default();
    let span = (end - start).num_days().max(0);
    start + chrono::Duration::days(between(s, 0, span))
}

/// An integer keyword argument (`faker.random_int:min:1:max:10`).
fn int_arg(kwargs: &[(String, String)], key: &str, default: i64) -> i64 {
    kwargs
        .iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(default)
}

/// One fake value of `kind` in `locale` (the original's names, e.g.
/// `fr_FR`), drawn from the cell's stream `s`. `kwargs` are the kind's keyword arguments
/// (`min`/`max` for `random_int`, `pyint` and `year`; others are accepted and
/// ignored).
pub(crate) fn fake_value(
    kind: &str,
    kwargs: &[(String, String)],
    locale: &str,
    s: &mut Stream,
) -> FakeValue {
    macro_rules! by_locale {
        ($faker:expr) => {
            match locale {
                "fr_FR" => $faker(locales::FR_FR).fake_with_rng::<String, _>(s.rng()),
                "de_DE" => $faker(locales::DE_DE).fake_with_rng::<String, _>(s.rng()),
                "it_IT" => $faker(locales::IT_IT).fake_with_rng::<String, _>(s.rng()),
                "pt_BR" => $faker(locales::PT_BR).fake_with_rng::<String, _>(s.rng()),
                "pt_PT" => $faker(locales::PT_PT).fake_with_rng::<String, _>(s.rng()),
                "ja_JP" => $faker(locales::JA_JP).fake_with_rng::<String, _>(s.rng()),
                "zh_CN" => $faker(locales::ZH_CN).fake_with_rng::<String, _>(s.rng()),
                "zh_TW" => $faker(locales::ZH_TW).fake_with_rng::<String, _>(s.rng()),
                "nl_NL" => $faker(locales::NL_NL).fake_with_rng::<String, _>(s.rng()),
                _ => $faker(locales::EN).fake_with_rng::<String, _>(s.rng()),
            }
        };
    }
    let text = match kind {
        "year" => {
            let (lo, hi) = (int_arg(kwargs, "min", 1950), int_arg(kwargs, "max", 2020));
            return FakeValue::Int(between(s, lo, hi));
        }
        "name" => by_locale!(Name),
        "first_name" => by_locale!(FirstName),
        "last_name" => by_locale!(LastName),
        "email" => by_locale!(SafeEmail),
        "phone_number" => by_locale!(PhoneNumber),
        "user_name" => by_locale!(Username),
        "job" => by_locale!(JobTitle),
        "company" => by_locale!(CompanyName),
        "bs" => by_locale!(Bs),
        "catch_phrase" => by_locale!(CatchPhrase),
        "street_address" | "address" => {
            let number = by_locale!(BuildingNumber);
            let street = by_locale!(StreetName);
            let suffix = by_locale!(StreetSuffix);
            let street = format!("{number} {street} {suffix}");
            if kind == "address" {
                let city = by_locale!(CityName);
                let post = by_locale!(PostCode);
                format!("{street}, {city} {post}")
            } else {
                street
            }
        }
        "city" => by_locale!(CityName),
        "state" => by_locale!(StateName),
        "country" => by_locale!(CountryName),
        "country_code" => by_locale!(CountryCode),
        "zipcode" => by_locale!(ZipCode),
        "postcode" => by_locale!(PostCode),
        "latitude" => by_locale!(Latitude),
        "longitude" => by_locale!(Longitude),
        "date" | "date_between" => date(s, 1970, 2025).to_string(),
        "date_this_decade" => date(s, 2020, 2029).to_string(),
        "date_of_birth" => date(s, 1940, 2007).to_string(),
        "date_time" | "iso8601" => {
            let d = date(s, 1970, 2025);
            let t = s.below(86_400);
            format!("{d}T{:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
        }
        "unix_time" => between(s, 0, 1_767_225_599).to_string(),
        "sentence" => by_locale!(|l| Sentence(l, 4..10)),
        "paragraph" | "text" => by_locale!(|l| Paragraph(l, 3..6)),
        "word" => by_locale!(Word),
        "words" => {
            let w: Vec<String> = Words(locales::EN, 3..4).fake_with_rng(s.rng());
            w.join(" ")
        }
        "url" | "domain_name" => {
            let w = by_locale!(Word).to_lowercase();
            let suffix = by_locale!(DomainSuffix);
            if kind == "url" {
                format!("https://www.{w}.{suffix}/")
            } else {
                format!("{w}.{suffix}")
            }
        }
        "ipv4" => by_locale!(IPv4),
        "ipv6" => by_locale!(IPv6),
        "mac_address" => by_locale!(MACAddress),
        "uuid4" => {
            let h = hex(s, 16);
            let v = u8::from_str_radix(&h[16..17], 16).unwrap_or(0) & 0x3 | 0x8;
            format!(
                "{}-{}-4{}-{:x}{}-{}",
                &h[..8],
                &h[8..12],
                &h[13..16],
                v,
                &h[17..20],
                &h[20..32]
            )
        }
        "md5" => hex(s, 16),
        "sha1" => hex(s, 20),
        "sha256" => hex(s, 32),
        "random_int" | "pyint" => {
            let (lo, hi) = (int_arg(kwargs, "min", 0), int_arg(kwargs, "max", 9999));
            between(s, lo, hi).to_string()
        }
        "random_element" => pick(s, &["a", "b", "c"]).to_owned(),
        "random_elements" => {
            let n = between(s, 1, 3);
            (0..n)
                .map(|_| pick(s, &["a", "b", "c"]))
                .collect::<Vec<_>>()
                .join(",")
        }
        "boolean" | "pybool" => (s.below(2) == 1).to_string(),
        "pyfloat" | "pydecimal" => format!("{:.4}", 20_000.0 * s.uniform() - 10_000.0),
        "currency" => format!(
            "{} ({})",
            by_locale!(CurrencyCode),
            by_locale!(CurrencyName)
        ),
        "currency_code" => by_locale!(CurrencyCode),
        "color_name" => pick(s, &COLORS).to_owned(),
        "hex_color" => format!("#{}", hex(s, 3)),
        "file_name" => by_locale!(FileName),
        "file_extension" => by_locale!(FileExtension),
        "mime_type" => by_locale!(MimeType),
        "license_plate" => {
            const L: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ";
            let letters: String = (0..3)
                .map(|_| char::from(L[s.below(L.len() as u64) as usize]))
                .collect();
            format!("{letters}-{}", digits(s, 4))
        }
        "vin" => {
            const VIN: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
            (0..17)
                .map(|_| char::from(VIN[s.below(VIN.len() as u64) as usize]))
                .collect()
        }
        "ean" | "ean13" => digits(s, 13),
        "industry" => pick(s, &INDUSTRIES).to_owned(),
        // The validator admits only the kinds above.
        _ => by_locale!(CompanyName),
    };
    FakeValue::Text(text)
}
