//! WEDOS WAPI: a WEDOS account — ping, credit, domains, DNS rows, asynchronous requests and their notifications.

pub mod client;
pub mod protocol;
pub mod records;
pub mod state;

pub use client::{Client, ClientBuilder, Clock, LimitPolicy};
pub use protocol::{Call, Operation, Output, RequestOptions};
pub use records::*;
pub use state::{AccountState, StateLocation};
