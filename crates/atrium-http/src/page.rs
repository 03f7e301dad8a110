//! Keyset pagination, the same on both planes: `?cursor=&limit=` in, `{items,
//! next_cursor}` out. The cursor is the last item's key, opaque to clients (base64url),
//! and one row more than the limit is fetched so `next_cursor` is null on the last
//! page even when that page is exactly full.

use std::future::Future;

use atrium_core::{config::PageConfig, domain::ValidationError};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::ApiError;

/// One page of a list, in key order. Pass `next_cursor` back as `cursor` for the next.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Opaque cursor from a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Items per page (the endpoint states its default and maximum).
    pub limit: Option<i64>,
}

/// What a list is ordered by, and so what a cursor holds.
pub trait CursorKey: Sized {
    fn to_bytes(&self) -> Vec<u8>;
    fn from_bytes(bytes: &[u8]) -> Option<Self>;
}

impl CursorKey for Uuid {
    fn to_bytes(&self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }
    fn from_bytes(bytes: &[u8]) -> Option<Self> {
        Uuid::from_slice(bytes).ok()
    }
}

impl CursorKey for i64 {
    fn to_bytes(&self) -> Vec<u8> {
        self.to_be_bytes().to_vec()
    }
    fn from_bytes(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(i64::from_be_bytes)
    }
}

impl CursorKey for String {
    fn to_bytes(&self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }
    fn from_bytes(bytes: &[u8]) -> Option<Self> {
        String::from_utf8(bytes.to_vec()).ok()
    }
}

/// A parsed request: start after `after`, fetch `fetch` rows (the limit plus one).
#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest<K> {
    pub after: Option<K>,
    pub fetch: i64,
}

impl Paging {
    /// The whole round: parse the request, load up to `fetch` rows after the cursor, and
    /// page them by `key`.
    pub async fn load<K, T, E, Fut>(
        &self,
        size: PageConfig,
        key: impl Fn(&T) -> K,
        load: impl FnOnce(Option<K>, i64) -> Fut,
    ) -> Result<Page<T>, ApiError>
    where
        K: CursorKey,
        Fut: Future<Output = Result<Vec<T>, E>>,
        ApiError: From<E>,
    {
        let PageRequest { after, fetch } = self.parse(size)?;
        let rows = load(after, fetch).await?;
        Ok(Page::from_rows(rows, fetch, key))
    }

    pub fn parse<K: CursorKey>(&self, size: PageConfig) -> Result<PageRequest<K>, ApiError> {
        let limit = self.limit.unwrap_or(size.default_limit);
        if !(1..=size.max_limit).contains(&limit) {
            return Err(ApiError::Validation(vec![ValidationError::coded(
                "limit",
                "range",
                format!("must be between 1 and {}", size.max_limit),
            )
            .param("min", 1)
            .param("max", size.max_limit)]));
        }
        let after = match &self.cursor {
            None => None,
            Some(c) => Some(
                URL_SAFE_NO_PAD
                    .decode(c)
                    .ok()
                    .and_then(|b| K::from_bytes(&b))
                    .ok_or_else(|| {
                        ApiError::bad_request(
                            "invalid_cursor",
                            "the cursor is not one this API issued",
                        )
                    })?,
            ),
        };
        Ok(PageRequest {
            after,
            fetch: limit + 1,
        })
    }
}

/// A list that is whole: there is no next page.
impl<T> From<Vec<T>> for Page<T> {
    fn from(items: Vec<T>) -> Self {
        Page {
            items,
            next_cursor: None,
        }
    }
}

impl<T> Page<T> {
    /// Builds a page from the rows a [`PageRequest`] fetched.
    pub fn from_rows<K: CursorKey>(mut items: Vec<T>, fetched: i64, key: impl Fn(&T) -> K) -> Self {
        let more = items.len() as i64 >= fetched;
        if more {
            items.truncate((fetched - 1) as usize);
        }
        let next_cursor = more
            .then(|| {
                items
                    .last()
                    .map(|t| URL_SAFE_NO_PAD.encode(key(t).to_bytes()))
            })
            .flatten();
        Page { items, next_cursor }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIZE: PageConfig = PageConfig {
        default_limit: 2,
        max_limit: 10,
    };

    #[test]
    fn a_full_last_page_has_no_next_cursor() {
        let ids: Vec<Uuid> = (0..2).map(|_| Uuid::now_v7()).collect();
        let p = Page::from_rows(ids, 3, |u| *u);
        assert_eq!(p.items.len(), 2);
        assert_eq!(p.next_cursor, None);
    }

    #[test]
    fn cursors_round_trip_for_both_key_kinds() {
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let p = Page::from_rows(ids.clone(), 3, |u| *u);
        assert_eq!(p.items.len(), 2);
        let next = Paging {
            cursor: p.next_cursor,
            limit: None,
        };
        assert_eq!(
            next.parse::<Uuid>(SIZE).ok().and_then(|r| r.after),
            Some(ids[1])
        );

        let slugs = vec!["acme".to_owned(), "globex".to_owned(), "initech".to_owned()];
        let p = Page::from_rows(slugs, 3, Clone::clone);
        let next = Paging {
            cursor: p.next_cursor,
            limit: Some(5),
        };
        let req = next.parse::<String>(SIZE).expect("valid");
        assert_eq!((req.after.as_deref(), req.fetch), (Some("globex"), 6));
    }

    #[test]
    fn bad_limits_and_foreign_cursors_are_refused() {
        for limit in [0, 11] {
            let q = Paging {
                cursor: None,
                limit: Some(limit),
            };
            assert!(q.parse::<Uuid>(SIZE).is_err());
        }
        let q = Paging {
            cursor: Some("nope".into()),
            limit: None,
        };
        assert_eq!(
            q.parse::<Uuid>(SIZE).err().map(|e| e.code()),
            Some("invalid_cursor")
        );
    }
}
