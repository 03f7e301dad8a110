//! A resource's type, its create and patch bodies, and how it is read from a row,
//! declared from one list of fields.

/// Declares a resource's struct: its first field `id: Uuid`, its own fields, then the
/// `version` and timestamps every resource has. Reads it from a row by column name, and
/// defines `columns!()`: its fields as a SQL column list, a macro so the resource's
/// statements can `concat!` it.
///
/// From the same fields it declares the create body (`new`) and the merge-patch body
/// (`patch`), and implements [`Fields`](super::Fields). A field's doc comment documents
/// it in all three. Its kind follows from how it is written:
///
/// - `pub f: T`: required on create; a patch may change it.
/// - `pub f: Option<T>`: optional on create; a patch may change it or clear it with `null`.
/// - `#[create_default] pub f: T`: optional on create, where the doc comment after the
///   marker says what it defaults to; a patch may change it.
/// - `#[not_patched] #[create_default] pub f: T`: the same, but a patch keeps it, so it
///   is changed by a route of its own.
/// - `#[read_only] pub f: T`: in the record only: set on creation by the resource's own
///   `insert` from something other than the body (the path, the caller), never changed.
macro_rules! record {
    (
        $(#[$meta:meta])*
        pub struct $ty:ident {
            pub id: Uuid,
            $($fields:tt)*
        }
        $(#[doc = $new_doc:tt])* new $new:ident;
        $(#[doc = $patch_doc:tt])* patch $patch:ident;
    ) => {
        $crate::http::resource::record!(@field
            [$(#[$meta])* $ty] [$(#[doc = $new_doc])* $new] [$(#[doc = $patch_doc])* $patch]
            [] [] [] [] [] [] []
            $($fields)*
        );
    };

    // Each field adds to: the record's fields, the create body's, the patch's, the
    // fields a patch sets (`keep`), sets but the create body may omit (`opt`), or leaves
    // as they are (`fixed`), and the written ones in order (`w`).
    (@field $head:tt $new:tt $patch:tt
        [$($r:tt)*] [$($n:tt)*] [$($p:tt)*] [$($keep:ident)*] [$($opt:ident)*] [$($fixed:ident)*] [$($w:ident)*]
        $(#[doc = $d:tt])* #[read_only] pub $f:ident: $t:ty,
        $($rest:tt)*
    ) => {
        $crate::http::resource::record!(@field $head $new $patch
            [$($r)* $(#[doc = $d])* pub $f: $t,]
            [$($n)*] [$($p)*] [$($keep)*] [$($opt)*] [$($fixed)*] [$($w)*]
            $($rest)*
        );
    };
    (@field $head:tt $new:tt $patch:tt
        [$($r:tt)*] [$($n:tt)*] [$($p:tt)*] [$($keep:ident)*] [$($opt:ident)*] [$($fixed:ident)*] [$($w:ident)*]
        $(#[doc = $d:tt])* pub $f:ident: Option<$t:ident>,
        $($rest:tt)*
    ) => {
        $crate::http::resource::record!(@field $head $new $patch
            [$($r)* $(#[doc = $d])* pub $f: Option<$t>,]
            [$($n)* $(#[doc = $d])* pub $f: Option<$t>,]
            [$($p)* $(#[doc = $d])* #[doc = " `null` clears it."]
                #[serde(default, deserialize_with = "nullable")]
                #[schema(value_type = Option<$t>)]
                pub $f: Option<Option<$t>>,]
            [$($keep)* $f] [$($opt)*] [$($fixed)*] [$($w)* $f]
            $($rest)*
        );
    };
    (@field $head:tt $new:tt $patch:tt
        [$($r:tt)*] [$($n:tt)*] [$($p:tt)*] [$($keep:ident)*] [$($opt:ident)*] [$($fixed:ident)*] [$($w:ident)*]
        $(#[doc = $d:tt])* #[not_patched] #[create_default] $(#[doc = $dd:tt])* pub $f:ident: $t:ident,
        $($rest:tt)*
    ) => {
        $crate::http::resource::record!(@field $head $new $patch
            [$($r)* $(#[doc = $d])* pub $f: $t,]
            [$($n)* $(#[doc = $d])* $(#[doc = $dd])* pub $f: Option<$t>,]
            [$($p)*]
            [$($keep)*] [$($opt)*] [$($fixed)* $f] [$($w)* $f]
            $($rest)*
        );
    };
    (@field $head:tt $new:tt $patch:tt
        [$($r:tt)*] [$($n:tt)*] [$($p:tt)*] [$($keep:ident)*] [$($opt:ident)*] [$($fixed:ident)*] [$($w:ident)*]
        $(#[doc = $d:tt])* #[create_default] $(#[doc = $dd:tt])* pub $f:ident: $t:ident,
        $($rest:tt)*
    ) => {
        $crate::http::resource::record!(@field $head $new $patch
            [$($r)* $(#[doc = $d])* pub $f: $t,]
            [$($n)* $(#[doc = $d])* $(#[doc = $dd])* pub $f: Option<$t>,]
            [$($p)* $(#[doc = $d])* pub $f: Option<$t>,]
            [$($keep)*] [$($opt)* $f] [$($fixed)*] [$($w)* $f]
            $($rest)*
        );
    };
    (@field $head:tt $new:tt $patch:tt
        [$($r:tt)*] [$($n:tt)*] [$($p:tt)*] [$($keep:ident)*] [$($opt:ident)*] [$($fixed:ident)*] [$($w:ident)*]
        $(#[doc = $d:tt])* pub $f:ident: $t:ident,
        $($rest:tt)*
    ) => {
        $crate::http::resource::record!(@field $head $new $patch
            [$($r)* $(#[doc = $d])* pub $f: $t,]
            [$($n)* $(#[doc = $d])* pub $f: $t,]
            [$($p)* $(#[doc = $d])* pub $f: Option<$t>,]
            [$($keep)* $f] [$($opt)*] [$($fixed)*] [$($w)* $f]
            $($rest)*
        );
    };

    (@field
        [$(#[$meta:meta])* $ty:ident]
        [$(#[doc = $new_doc:tt])* $new:ident]
        [$(#[doc = $patch_doc:tt])* $patch:ident]
        [$($(#[$field_meta:meta])* pub $field:ident: $field_ty:ty,)*]
        [$($n:tt)*] [$($p:tt)*] [$($keep:ident)*] [$($opt:ident)*] [$($fixed:ident)*]
        [$($w:ident)*]
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

        $(#[doc = $new_doc])*
        #[derive(Debug, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $new {
            $($n)*
        }

        $(#[doc = $patch_doc])*
        #[derive(Debug, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $patch {
            $($p)*
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

        impl $crate::http::resource::Fields for $ty {
            type New = $new;
            type Patch = $patch;
            const FIELDS: &'static [&'static str] = &[$(stringify!($w)),*];

            fn patched(self, patch: $patch) -> $new {
                $new {
                    $($keep: patch.$keep.unwrap_or(self.$keep),)*
                    $($opt: Some(patch.$opt.unwrap_or(self.$opt)),)*
                    $($fixed: Some(self.$fixed),)*
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
