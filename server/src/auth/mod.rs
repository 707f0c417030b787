//! Authentication: password hashing, signed session tokens backed by session rows, login and
//! logout, throttling, the middleware that turns a cookie into an `Identity`, and CSRF checks.
pub use app::store::audit;
pub mod config;
pub mod csrf;
pub mod email_links;
pub mod handlers;
pub mod mfa;
pub mod middleware;
pub mod redirect;
pub use app::auth::password;
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod totp;
pub mod view_as;

pub use config::AuthConfig;

/// The session cookie. `__Host-` makes the browser insist on Secure, Path=/ and no Domain.
pub const COOKIE_NAME: &str = "__Host-portal_session";
