//! WEDOS WAPI: a WEDOS account — ping, credit, domains, DNS rows, asynchronous requests and their notifications.
//!
//! - [`protocol`]: sans-I/O requests and answers;
//! - [`client`]: the async client;
//! - [`governor`]: the account's limits as a pure policy (reserve before sending, settle after);
//! - [`propagation`]: waiting until every name server of a zone serves a TXT value;
//! - [`spool`]: the notifications taken off the server's queue, handed out once each;
//! - [`store`]: where the account state lives, shared by every client of the account.

pub mod client;
pub mod governor;
pub mod propagation;
pub mod protocol;
pub mod records;
pub mod spool;
pub mod store;

pub use client::{Client, ClientBuilder, Clock, LimitPolicy};
pub use protocol::{Call, Operation, Output, RequestOptions};
pub use records::*;
pub use store::{AccountStore, GuardStatus, StateLocation};
