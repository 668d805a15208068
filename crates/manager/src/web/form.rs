//! Cookies, CSRF tokens and the client's address.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use rand::RngCore;
use subtle::ConstantTimeEq;

/// The session cookie.
pub(super) const SESSION_COOKIE: &str = "vigie_session";
/// The double-submit cookie of the login and setup forms.
pub(super) const PRELOGIN_COOKIE: &str = "vigie_prelogin";

/// The value of cookie `name` in the request's `Cookie` headers (RFC 6265 §5.4).
pub(super) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"'))
        .filter(|value| !value.is_empty())
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Strict`, path `/`, `Secure` when asked;
/// `max_age` of `Some(0)` deletes it, `None` makes a browser-session cookie.
pub(super) fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<u64>) -> String {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if secure {
        cookie.push_str("; Secure");
    }
    if let Some(seconds) = max_age {
        cookie.push_str(&format!("; Max-Age={seconds}"));
    }
    cookie
}

/// Whether a submitted CSRF token matches the expected one, in constant time.
pub(super) fn token_matches(expected: &str, submitted: Option<&str>) -> bool {
    match submitted {
        Some(submitted) if !expected.is_empty() => {
            bool::from(expected.as_bytes().ct_eq(submitted.as_bytes()))
        }
        _ => false,
    }
}

/// 256 random bits in hexadecimal, for the double-submit token.
pub(super) fn random_token() -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The client's address when the server records it (`into_make_service_with_connect_info`).
/// Forwarding headers are not trusted: any client can write them.
pub(super) fn client_ip(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip())
}

/// A local path to go back to after an action, or `fallback`: never another site
/// (an open redirect), so only `/x…` and not `//host` or `/\host`.
pub(super) fn local_path<'a>(candidate: Option<&'a str>, fallback: &'a str) -> &'a str {
    match candidate {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(char::is_control) =>
        {
            path
        }
        _ => fallback,
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn cookies_are_found_among_others_and_across_headers() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("a=1; vigie_session=abc"));
        headers.append(COOKIE, HeaderValue::from_static("vigie_prelogin=\"x\""));
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, PRELOGIN_COOKIE), Some("x"));
        assert_eq!(cookie(&headers, "b"), None);
        headers.insert(COOKIE, HeaderValue::from_static("vigie_session="));
        assert_eq!(cookie(&headers, SESSION_COOKIE), None);
    }

    #[test]
    fn session_cookies_are_http_only_and_strict() {
        assert_eq!(
            set_cookie("s", "v", true, None),
            "s=v; Path=/; HttpOnly; SameSite=Strict; Secure"
        );
        assert_eq!(
            set_cookie("s", "", false, Some(0)),
            "s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
        );
    }

    #[test]
    fn tokens_must_match_exactly() {
        assert!(token_matches("abc", Some("abc")));
        assert!(!token_matches("abc", Some("abd")));
        assert!(!token_matches("abc", Some("ab")));
        assert!(!token_matches("abc", None));
        assert!(!token_matches("", Some("")));
    }

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(
            local_path(Some("/alarms?state=open"), "/"),
            "/alarms?state=open"
        );
        assert_eq!(local_path(Some("//evil.example/"), "/"), "/");
        assert_eq!(local_path(Some("/\\evil.example/"), "/"), "/");
        assert_eq!(local_path(Some("https://evil.example/"), "/"), "/");
        assert_eq!(local_path(Some("/a\r\nSet-Cookie: x"), "/"), "/");
        assert_eq!(local_path(None, "/status"), "/status");
    }
}
