//! Vocabularies stored as `text` columns (roles, statuses, sources), as Rust enums.
//!
//! [`text_enum!`] declares the enum once and derives everything a vocabulary needs: its
//! `snake_case` wire names for serde and OpenAPI, `as_str`/`parse`, the word list (via
//! [`Vocabulary`]), and the Diesel mapping to `Text`, so rows load as the enum and filters bind it directly, with no string
//! parsed back and forth in handlers. An unknown word in a request is a 422 that lists the
//! vocabulary (`must be one of: …`); an unknown word in the database is a deserialization
//! error (the column's check constraint or our own writes keep that from happening).

/// What every [`text_enum!`] is: validation parses request text through this, so a body can
/// carry the word as a string and a wrong word is one more field in the same 422 rather than
/// a serde error that hides the others.
pub trait Vocabulary: Sized + Copy + 'static {
    const WORDS: &'static [&'static str];
    fn from_word(word: &str) -> Option<Self>;
}

/// Declares a text vocabulary. A variant's word is its name in `snake_case` (`OrderRequests`
/// is `order_requests`, `P25P50` is `p25_p50`), the same rule serde's `rename_all` applies to
/// the wire, so the word is said once, by the name:
///
/// ```ignore
/// text_enum! {
///     /// Who a user is.
///     pub enum Role { Admin, Operator, Client }
/// }
/// ```
///
/// A variant may still spell its word out (`Admin = "admin"`); it must be that same
/// `snake_case` name, or serde and the database would disagree.
#[macro_export]
macro_rules! text_enum {
    (@word $variant:ident $word:literal) => { $word };
    (@word $variant:ident) => { ::paste::paste!(stringify!([<$variant:snake>])) };
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident $(= $word:literal)? ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            ::serde::Serialize, ::serde::Deserialize, ::utoipa::ToSchema,
            ::diesel::expression::AsExpression, ::diesel::deserialize::FromSqlRow,
        )]
        #[serde(rename_all = "snake_case")]
        #[diesel(sql_type = ::diesel::sql_types::Text)]
        pub enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $crate::text_enum!(@word $variant $($word)?)),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                const ALL: &[$name] = &[$($name::$variant),+];
                let words = <Self as $crate::db::text_enum::Vocabulary>::WORDS;
                words.iter().position(|word| *word == s).map(|i| ALL[i])
            }
        }

        impl $crate::db::text_enum::Vocabulary for $name {
            const WORDS: &'static [&'static str] =
                &[$($crate::text_enum!(@word $variant $($word)?)),+];
            fn from_word(word: &str) -> Option<Self> {
                Self::parse(word)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::diesel::serialize::ToSql<::diesel::sql_types::Text, ::diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut ::diesel::serialize::Output<'b, '_, ::diesel::pg::Pg>,
            ) -> ::diesel::serialize::Result {
                <str as ::diesel::serialize::ToSql<::diesel::sql_types::Text, ::diesel::pg::Pg>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }

        impl ::diesel::deserialize::FromSql<::diesel::sql_types::Text, ::diesel::pg::Pg> for $name {
            fn from_sql(bytes: ::diesel::pg::PgValue<'_>) -> ::diesel::deserialize::Result<Self> {
                let word = <String as ::diesel::deserialize::FromSql<
                    ::diesel::sql_types::Text,
                    ::diesel::pg::Pg,
                >>::from_sql(bytes)?;
                Self::parse(&word).ok_or_else(|| {
                    format!(concat!("unknown ", stringify!($name), " {:?} in the database"), word)
                        .into()
                })
            }
        }
    };
}
