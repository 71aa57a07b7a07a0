//! Who is calling and what they may do: passwords, API tokens, CKAN's role rules.

pub mod caller;
pub mod oidc;
pub mod password;
pub mod roles;
pub mod session;
pub mod token;

pub use caller::Caller;
pub use roles::Permission;
pub use token::TokenSigner;
