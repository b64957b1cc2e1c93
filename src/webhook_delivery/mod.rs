//! Delivering webhooks: each change of the log becomes a message per subscription
//! that wants it, carrying the resource as the API shows it (`fan_out`), and the
//! outbox is sent, signed and retried by every node (`worker`).

mod fan_out;
mod worker;

pub use fan_out::{fan_out, ChangeEvent, WebhookMessage};
pub use worker::deliver_messages;
