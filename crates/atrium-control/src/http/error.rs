use atrium_http::ApiError;

use crate::ControlError;

impl From<ControlError> for ApiError {
    fn from(e: ControlError) -> Self {
        match e {
            ControlError::Slug(s) => ApiError::InvalidTenantSlug(s),
            ControlError::Invalid(v) => v.into(),
            ControlError::NotFound => ApiError::NotFound("tenant"),
            ControlError::Absent(what) => ApiError::NotFound(what),
            ControlError::Conflict { code, detail } => ApiError::Conflict { code, detail },
            ControlError::Account(a) => a.into(),
            ControlError::Db(db) => db.into(),
            ControlError::Other(err) => ApiError::Internal(err),
        }
    }
}
