use atrium_core::domain::{Email, MAX_SIGN_IN_PASSWORD_BYTES};
use serde::Deserialize;
use utoipa::ToSchema;

/// What a person signs in with, on either plane.
#[derive(Deserialize, ToSchema)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

impl Credentials {
    /// Oversized input is refused before any lookup or hashing, so it costs nothing.
    pub fn within_bounds(&self) -> bool {
        self.email.len() <= Email::MAX_LEN && self.password.len() <= MAX_SIGN_IN_PASSWORD_BYTES
    }
}
