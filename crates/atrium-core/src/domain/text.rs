//! Domain values that are text. Enums stored and sent as lowercase text (`active`, `pro`): one definition gives the
//! type its list of values, `as_str`, `parse` (a [`ValidationError`] naming the
//! choices), `Display`, serde, OpenAPI, and PostgreSQL reads and binds. A value the code
//! doesn't know, in a request or in the database, is an error, never a silent default.
//!
//! [`ValidationError`]: super::ValidationError

macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        #[serde(rename_all = "lowercase")]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }

            pub fn parse(field: &str, raw: &str) -> Result<Self, $crate::domain::ValidationError> {
                raw.parse().map_err(|()| {
                    let all: Vec<_> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    $crate::domain::ValidationError::coded(
                        field,
                        "one_of",
                        format!("{field} must be one of {}", all.join(", ")),
                    )
                    .param("allowed", all.join(", "))
                })
            }
        }

        impl std::str::FromStr for $name {
            type Err = ();

            fn from_str(s: &str) -> Result<Self, ()> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or(())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<'a> tokio_postgres::types::FromSql<'a> for $name {
            fn from_sql(
                ty: &tokio_postgres::types::Type,
                raw: &'a [u8],
            ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
                let s = <&str as tokio_postgres::types::FromSql>::from_sql(ty, raw)?;
                s.parse()
                    .map_err(|()| format!("unknown {} {s:?}", stringify!($name)).into())
            }

            fn accepts(ty: &tokio_postgres::types::Type) -> bool {
                <&str as tokio_postgres::types::FromSql>::accepts(ty)
            }
        }

        impl tokio_postgres::types::ToSql for $name {
            fn to_sql(
                &self,
                ty: &tokio_postgres::types::Type,
                out: &mut bytes::BytesMut,
            ) -> Result<tokio_postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>>
            {
                self.as_str().to_sql(ty, out)
            }

            fn accepts(ty: &tokio_postgres::types::Type) -> bool {
                <&str as tokio_postgres::types::ToSql>::accepts(ty)
            }

            tokio_postgres::types::to_sql_checked!();
        }
    };
}

/// A validated string newtype reads as its text: `as_str()` and `Display`.
macro_rules! text_newtype {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

pub(crate) use {text_enum, text_newtype};
