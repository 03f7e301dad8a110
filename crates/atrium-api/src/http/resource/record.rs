//! A resource's type and how it is read from a row, declared once.

/// Declares a resource's struct: its first field `id: Uuid`, its own fields, then the
/// `version` and timestamps every resource has. Reads it from a row by column name, and
/// defines `columns!()`: its fields as a SQL column list, a macro so the resource's
/// statements can `concat!` it.
macro_rules! record {
    (
        $(#[$meta:meta])*
        pub struct $ty:ident {
            pub id: Uuid,
            $($(#[$field_meta:meta])* pub $field:ident: $field_ty:ty,)*
        }
    ) => {
        $(#[$meta])*
        pub struct $ty {
            pub id: Uuid,
            $($(#[$field_meta])* pub $field: $field_ty,)*
            /// Increases on every change; also sent as the ETag.
            pub version: i32,
            pub created_at: ::chrono::DateTime<::chrono::Utc>,
            pub updated_at: ::chrono::DateTime<::chrono::Utc>,
        }

        impl From<&::tokio_postgres::Row> for $ty {
            fn from(r: &::tokio_postgres::Row) -> Self {
                Self {
                    id: r.get("id"),
                    $($field: r.get(stringify!($field)),)*
                    version: r.get("version"),
                    created_at: r.get("created_at"),
                    updated_at: r.get("updated_at"),
                }
            }
        }

        macro_rules! columns {
            () => {
                concat!("id" $(, ", ", stringify!($field))*, ", version, created_at, updated_at")
            };
        }

        const COLUMNS: &str = columns!();
    };
}
pub(crate) use record;
