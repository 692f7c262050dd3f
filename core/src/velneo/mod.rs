//! The Velneo Cloud API: a customer's Velneo vServer and its groups, users, shared folders and instances.
//!
//! ```no_run
//! # async fn demo() -> hostapi::error::Result<()> {
//! use hostapi::velneo::{Client, UserFilter};
//! let client = Client::builder().email("ejemplo@gmail.com").api_key("…").build()?;
//! println!("{}", client.vserver().status().await?.status);
//! for user in client.users().list(UserFilter::All).await? {
//!     println!("{}", user.name);
//! }
//! client.logout().await?;
//! # Ok(()) }
//! ```

pub mod client;
pub mod protocol;
pub mod records;

pub use client::{Client, ClientBuilder};
pub use protocol::{Call, Operation, Output};
pub use records::*;
