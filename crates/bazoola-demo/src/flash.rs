//! One-shot messages carried across a redirect ("Project 'X' deleted…") in a cookie:
//! a successful POST sets it, the next page shows it and clears it. The value is
//! URL-encoded, which keeps it within the characters a cookie value may hold.

use axum::extract::FromRequestParts;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use axum::http::HeaderValue;
use serde::{Deserialize, Serialize};

const NAME: &str = "bazoola_flash";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    /// `success` or `error`: the alert's style.
    pub kind: String,
    pub text: String,
}

impl Flash {
    pub fn success(text: impl Into<String>) -> Flash {
        Flash { kind: "success".into(), text: text.into() }
    }

    pub fn error(text: impl Into<String>) -> Flash {
        Flash { kind: "error".into(), text: text.into() }
    }

    /// The `Set-Cookie` value that carries this message to the next page.
    pub fn set_cookie(&self) -> HeaderValue {
        let value = serde_urlencoded::to_string(self).unwrap_or_default();
        HeaderValue::from_str(&format!("{NAME}={value}; Path=/; HttpOnly; SameSite=Lax"))
            .unwrap_or_else(|_| HeaderValue::from_static("bazoola_flash=; Path=/"))
    }

    /// The `Set-Cookie` value that removes the message once it has been shown.
    pub fn clear_cookie() -> HeaderValue {
        HeaderValue::from_static("bazoola_flash=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax")
    }

    fn from_cookie_header(header: &str) -> Option<Flash> {
        let value = header.split(';').find_map(|pair| pair.trim().strip_prefix(NAME)?.strip_prefix('='))?;
        serde_urlencoded::from_str(value).ok()
    }
}

/// The message the request's cookie carries, if any.
#[derive(Debug, Default)]
pub struct Incoming(pub Option<Flash>);

impl<S: Send + Sync> FromRequestParts<S> for Incoming {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Incoming, Self::Rejection> {
        let flash = parts
            .headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|h| h.to_str().ok())
            .find_map(Flash::from_cookie_header);
        Ok(Incoming(flash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_survives_the_cookie_round_trip() {
        let flash = Flash::success("Project 'Big; bold & new' deleted, and 3 tasks.");
        let set = flash.set_cookie();
        let pair = set.to_str().unwrap().split(';').next().unwrap().to_string();
        assert!(!pair.contains(' ') && !pair.contains(','), "{pair}");
        assert_eq!(Flash::from_cookie_header(&format!("other=1; {pair}")), Some(flash));
    }

    #[test]
    fn a_cleared_or_foreign_cookie_carries_nothing() {
        assert_eq!(Flash::from_cookie_header("bazoola_flash="), None);
        assert_eq!(Flash::from_cookie_header("session=abc"), None);
    }
}
