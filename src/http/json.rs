//! Cheaper JSON out: pages written into one buffer sized after their first row, and
//! timestamps and dates formatted into a stack buffer. The bytes are serde_json's compact
//! output of the derived `Serialize` and chrono's own formats (tested against both), so
//! clients and the OpenAPI document see no change.
//!
//! Why (issue 16 item 4, docs/benchmarks.md "Response CPU"): a page of 50 products spent its
//! service CPU growing axum's `Json` buffer from 128 bytes by doubling (memmove, 7 % of the
//! profile) and on chrono's `Serialize`, which goes through `collect_str` and writes a
//! timestamp one `char` at a time, each char a separate call of serde_json's escaper.
//!
//! Rows opt in per field: `#[serde(serialize_with = "json::timestamp")]` (and `opt_timestamp`,
//! `date`, `opt_date`); lists return their [`Page`] itself as the response.

use axum::{
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde::{Serialize, Serializer};

use super::{error::ApiError, pagination::Page};

/// `{"data":[…],"next_cursor":…}`: the first row is written, then room for the others at its
/// size (plus an eighth) is reserved at once, so a page costs one or two allocations.
pub fn page_bytes<T: Serialize>(page: &Page<T>) -> serde_json::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(512);
    buf.extend_from_slice(b"{\"data\":[");
    let mut rows = page.data.iter();
    if let Some(first) = rows.next() {
        let start = buf.len();
        serde_json::to_writer(&mut buf, first)?;
        let row = buf.len() - start + 1;
        buf.reserve(rows.len() * (row + row / 8) + 64);
        for r in rows {
            buf.push(b',');
            serde_json::to_writer(&mut buf, r)?;
        }
    }
    buf.extend_from_slice(b"],\"next_cursor\":");
    serde_json::to_writer(&mut buf, &page.next_cursor)?;
    buf.push(b'}');
    Ok(buf)
}

/// A list handler returns its page: `Ok(Page::from_rows(…))`.
impl<T: Serialize> IntoResponse for Page<T> {
    fn into_response(self) -> Response {
        match page_bytes(&self) {
            Ok(body) => (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                body,
            )
                .into_response(),
            Err(e) => ApiError::Internal(anyhow::Error::new(e).context("serializing a page"))
                .into_response(),
        }
    }
}

/// Two decimal digits of `n` (< 100) at `b[at..at + 2]`.
fn two(b: &mut [u8], at: usize, n: u32) {
    b[at] = b'0' + (n / 10) as u8;
    b[at + 1] = b'0' + (n % 10) as u8;
}

/// `YYYY-MM-DD` into `b[..10]`; only for years 0 to 9999 (chrono writes others with a sign).
fn write_date(b: &mut [u8], d: NaiveDate) {
    let y = d.year() as u32;
    two(b, 0, y / 100);
    two(b, 2, y % 100);
    b[4] = b'-';
    two(b, 5, d.month());
    b[7] = b'-';
    two(b, 8, d.day());
}

fn ascii(b: &[u8]) -> &str {
    std::str::from_utf8(b).expect("the formatters write ASCII digits and separators")
}

/// A timestamp as chrono serializes it (RFC 3339, `Z`, 0, 3, 6 or 9 fraction digits as the
/// value needs), formatted in a stack buffer and handed to the serializer in one piece.
pub fn timestamp<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    let (date, time) = (t.date_naive(), t.time());
    let nano = time.nanosecond();
    if !(0..=9999).contains(&date.year()) || nano >= 1_000_000_000 {
        return t.serialize(s); // signed years and leap seconds: chrono's own path
    }
    let mut b = [0u8; 32];
    write_date(&mut b, date);
    b[10] = b'T';
    two(&mut b, 11, time.hour());
    b[13] = b':';
    two(&mut b, 14, time.minute());
    b[16] = b':';
    two(&mut b, 17, time.second());
    let mut n = 19;
    let (digits, mut frac) = match nano {
        0 => (0, 0),
        _ if nano % 1_000_000 == 0 => (3, nano / 1_000_000),
        _ if nano % 1_000 == 0 => (6, nano / 1_000),
        _ => (9, nano),
    };
    if digits > 0 {
        b[n] = b'.';
        for i in (1..=digits).rev() {
            b[n + i] = b'0' + (frac % 10) as u8;
            frac /= 10;
        }
        n += digits + 1;
    }
    b[n] = b'Z';
    s.serialize_str(ascii(&b[..n + 1]))
}

pub fn opt_timestamp<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => timestamp(t, s),
        None => s.serialize_none(),
    }
}

/// A date as chrono serializes it (`YYYY-MM-DD`).
pub fn date<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    if !(0..=9999).contains(&d.year()) {
        return d.serialize(s);
    }
    let mut b = [0u8; 10];
    write_date(&mut b, *d);
    s.serialize_str(ascii(&b))
}

pub fn opt_date<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => date(d, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    #[derive(Serialize)]
    struct Ours {
        #[serde(serialize_with = "timestamp")]
        t: DateTime<Utc>,
        #[serde(serialize_with = "opt_timestamp")]
        o: Option<DateTime<Utc>>,
        #[serde(serialize_with = "date")]
        d: NaiveDate,
        #[serde(serialize_with = "opt_date")]
        od: Option<NaiveDate>,
    }

    #[derive(Serialize)]
    struct Chrono {
        t: DateTime<Utc>,
        o: Option<DateTime<Utc>>,
        d: NaiveDate,
        od: Option<NaiveDate>,
    }

    fn both(t: DateTime<Utc>, o: Option<DateTime<Utc>>) -> (String, String) {
        let (d, od) = (t.date_naive(), o.map(|o| o.date_naive()));
        (
            serde_json::to_string(&Ours { t, o, d, od }).unwrap(),
            serde_json::to_string(&Chrono { t, o, d, od }).unwrap(),
        )
    }

    #[test]
    fn timestamps_and_dates_are_chronos_bytes() {
        let base = Utc.with_ymd_and_hms(2025, 1, 9, 3, 4, 5).unwrap();
        let steps = [
            Duration::zero(),
            Duration::milliseconds(120),
            Duration::microseconds(123_456),
            Duration::microseconds(1_000),
            Duration::microseconds(10),
            Duration::nanoseconds(7),
            Duration::nanoseconds(999_999_999),
            Duration::days(400) + Duration::microseconds(999_001),
        ];
        for step in steps {
            for t in [base + step, base - step] {
                let (ours, chrono) = both(t, Some(t + Duration::hours(13)));
                assert_eq!(ours, chrono);
            }
        }
        let (ours, chrono) = both(base, None);
        assert_eq!(ours, chrono);
        for y in [0, 1, 999, 9999, 10_000, -1, 262_000] {
            let t = Utc.with_ymd_and_hms(y, 12, 31, 23, 59, 59).unwrap();
            let (ours, chrono) = both(t, Some(t));
            assert_eq!(ours, chrono);
        }
    }

    #[test]
    fn a_page_is_serde_jsons_bytes() {
        let rows = vec![
            serde_json::json!({"a": "x\"y", "b": [1, 2]}),
            serde_json::json!({"a": "a much longer row than the first, to pass its size"}),
            serde_json::json!(null),
        ];
        for (data, next_cursor) in [
            (rows.clone(), Some("abc".to_owned())),
            (rows[..1].to_vec(), None),
            (vec![], None),
        ] {
            let page = Page { data, next_cursor };
            assert_eq!(
                page_bytes(&page).unwrap(),
                serde_json::to_vec(&page).unwrap()
            );
        }
    }
}
