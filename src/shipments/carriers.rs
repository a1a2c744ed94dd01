//! The carriers, as data: one row per carrier holds its tracking-number formats, the message
//! naming them, its public tracking page, the environment variables that override the page
//! and hold its webhook secret, and its native status codes. Validation, URL building and the
//! webhooks read this table; nothing matches on a carrier anywhere else.

use super::types::{Carrier, ShipmentStatus};
use ShipmentStatus::*;

/// One piece of a tracking-number format.
#[derive(Debug, Clone, Copy)]
pub enum Part {
    /// This exact text.
    Lit(&'static str),
    /// Decimal digits, one of these counts.
    Digits(&'static [usize]),
    /// Letters A–Z, one of these counts.
    Letters(&'static [usize]),
    /// Letters A–Z or digits, one of these counts.
    Alnum(&'static [usize]),
}

/// A format is its parts in sequence.
pub type Format = &'static [Part];

pub struct CarrierRules {
    pub carrier: Carrier,
    pub formats: &'static [Format],
    /// What a valid number looks like, in the words of a 422.
    pub format_hint: &'static str,
    /// Overrides [`CarrierRules::default_url`]; holds `{tracking_number}`.
    pub url_env: &'static str,
    pub default_url: &'static str,
    pub secret_env: &'static str,
    /// Native status codes (compared case-insensitively) and the status each means.
    pub native_statuses: &'static [(&'static str, ShipmentStatus)],
}

pub const CARRIERS: [CarrierRules; 4] = [
    CarrierRules {
        carrier: Carrier::Ups,
        formats: &[&[Part::Lit("1Z"), Part::Alnum(&[16])]],
        format_hint: "must be a UPS number: 1Z followed by 16 letters or digits, like 1Z999AA10123456784",
        url_env: "TRACKING_URL_UPS",
        default_url: "https://www.ups.com/track?tracknum={tracking_number}",
        secret_env: "CARRIER_WEBHOOK_SECRET_UPS",
        native_statuses: &[
            ("M", LabelCreated),
            ("MV", Cancelled),
            ("P", InTransit),
            ("I", InTransit),
            ("O", OutForDelivery),
            ("X", Exception),
            ("RS", ReturnedToSender),
            ("DO", DeliveryAttempted),
            ("U", AvailableForPickup),
            ("D", Delivered),
        ],
    },
    CarrierRules {
        carrier: Carrier::Fedex,
        formats: &[&[Part::Digits(&[12, 15, 20, 22])]],
        format_hint: "must be a FedEx number: 12, 15, 20 or 22 digits, like 123456789012",
        url_env: "TRACKING_URL_FEDEX",
        default_url: "https://www.fedex.com/fedextrack/?trknbr={tracking_number}",
        secret_env: "CARRIER_WEBHOOK_SECRET_FEDEX",
        native_statuses: &[
            ("OC", LabelCreated),
            ("PU", InTransit),
            ("IT", InTransit),
            ("AR", InTransit),
            ("DP", InTransit),
            ("OD", OutForDelivery),
            ("DE", Exception),
            ("SE", Exception),
            ("DD", DeliveryAttempted),
            ("HL", AvailableForPickup),
            ("RS", ReturnedToSender),
            ("CA", Cancelled),
            ("DL", Delivered),
        ],
    },
    CarrierRules {
        carrier: Carrier::Usps,
        formats: &[
            &[Part::Digits(&[20, 21, 22])],
            &[Part::Letters(&[2]), Part::Digits(&[9]), Part::Lit("US")],
        ],
        format_hint: "must be a USPS number: 20 to 22 digits, or 2 letters, 9 digits and US, like EA123456789US",
        url_env: "TRACKING_URL_USPS",
        default_url: "https://tools.usps.com/go/TrackConfirmAction?tLabels={tracking_number}",
        secret_env: "CARRIER_WEBHOOK_SECRET_USPS",
        native_statuses: &[
            ("GX", LabelCreated),
            ("MA", LabelCreated),
            ("03", InTransit),
            ("10", InTransit),
            ("OF", OutForDelivery),
            ("02", DeliveryAttempted),
            ("52", AvailableForPickup),
            ("04", ReturnedToSender),
            ("09", Exception),
            ("01", Delivered),
        ],
    },
    CarrierRules {
        carrier: Carrier::Dhl,
        formats: &[&[Part::Digits(&[10, 11])]],
        format_hint: "must be a DHL number: 10 or 11 digits, like 1234567890",
        url_env: "TRACKING_URL_DHL",
        default_url: "https://www.dhl.com/en/express/tracking.html?AWB={tracking_number}",
        secret_env: "CARRIER_WEBHOOK_SECRET_DHL",
        native_statuses: &[
            ("pre-transit", LabelCreated),
            ("transit", InTransit),
            ("failure", Exception),
            ("delivered", Delivered),
        ],
    },
];

/// The placeholder a tracking URL template holds.
pub const PLACEHOLDER: &str = "{tracking_number}";

impl Carrier {
    pub fn rules(self) -> &'static CarrierRules {
        CARRIERS
            .iter()
            .find(|r| r.carrier == self)
            .expect("every carrier has a row in CARRIERS")
    }

    /// Position in [`CARRIERS`] (and in per-carrier configuration arrays).
    pub fn index(self) -> usize {
        CARRIERS
            .iter()
            .position(|r| r.carrier == self)
            .expect("every carrier has a row in CARRIERS")
    }
}

/// A tracking number as carriers print it: spaces (and dashes) removed, upper case.
pub fn normalize(number: &str) -> String {
    number
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

impl CarrierRules {
    /// Whether a normalised number has one of this carrier's formats.
    pub fn accepts(&self, number: &str) -> bool {
        self.formats.iter().any(|f| matches(f, number.as_bytes()))
    }

    /// One of ours, or one of this carrier's native codes.
    pub fn status(&self, word: &str) -> Option<ShipmentStatus> {
        let word = word.trim();
        ShipmentStatus::parse(word).or_else(|| {
            self.native_statuses
                .iter()
                .find(|(code, _)| code.eq_ignore_ascii_case(word))
                .map(|(_, status)| *status)
        })
    }
}

fn matches(parts: &[Part], s: &[u8]) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return s.is_empty();
    };
    let run = |lens: &[usize], ok: fn(&u8) -> bool| {
        lens.iter()
            .any(|&n| s.len() >= n && s[..n].iter().all(ok) && matches(rest, &s[n..]))
    };
    match *first {
        Part::Lit(text) => s.starts_with(text.as_bytes()) && matches(rest, &s[text.len()..]),
        Part::Digits(lens) => run(lens, u8::is_ascii_digit),
        Part::Letters(lens) => run(lens, u8::is_ascii_uppercase),
        Part::Alnum(lens) => run(lens, |c| c.is_ascii_digit() || c.is_ascii_uppercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(c: Carrier, n: &str) -> bool {
        c.rules().accepts(&normalize(n))
    }

    #[test]
    fn each_carrier_accepts_its_formats_and_refuses_others() {
        assert!(ok(Carrier::Ups, "1z 999 aa1 0123456784"));
        assert!(!ok(Carrier::Ups, "1Z999AA1012345678"), "15 after 1Z");
        assert!(!ok(Carrier::Ups, "2Z999AA101234567845"));
        for n in [
            "123456789012",
            "123456789012345",
            "12345678901234567890",
            "1234567890123456789012",
        ] {
            assert!(ok(Carrier::Fedex, n), "{n}");
        }
        assert!(!ok(Carrier::Fedex, "1234567890123"), "13 digits");
        assert!(!ok(Carrier::Fedex, "12345678901A"));
        assert!(ok(Carrier::Usps, "9400 1000 0000 0000 0000 00"));
        assert!(ok(Carrier::Usps, "ea123456789us"));
        assert!(!ok(Carrier::Usps, "EA12345678US"), "8 digits");
        assert!(!ok(Carrier::Usps, "1234567890123456789"), "19 digits");
        assert!(ok(Carrier::Dhl, "1234567890"));
        assert!(ok(Carrier::Dhl, "12345678901"));
        assert!(!ok(Carrier::Dhl, "123456789012"));
    }

    #[test]
    fn native_codes_map_to_our_statuses() {
        assert_eq!(Carrier::Fedex.rules().status("dl"), Some(Delivered));
        assert_eq!(Carrier::Dhl.rules().status("transit"), Some(InTransit));
        assert_eq!(Carrier::Ups.rules().status("in_transit"), Some(InTransit));
        assert_eq!(Carrier::Ups.rules().status("DL"), None);
    }
}
