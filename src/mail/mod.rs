//! Notification mail. A workflow action writes its messages to the outbox in the transaction of
//! the change they tell about ([`queue`]), so a message exists exactly when the change does; a
//! background thread of `kho serve` sends them ([`sender`]). No request ever waits on the mail
//! server, and a server that is down only delays the mail.

pub mod sender;

use crate::config::Config;
use crate::store::outbox::{self, MailRow};
use crate::store::{self, StoreResult, Tx, members, users};

/// A message: Vietnamese first, its English translation below.
#[derive(Debug, Clone, PartialEq)]
pub struct Mail {
    pub subject: String,
    pub body: String,
}

impl Mail {
    /// A message in both languages, ending with the address where the reader acts.
    pub fn bilingual(subject_vi: &str, body_vi: &str, body_en: &str, link: &str) -> Mail {
        let body = format!("{body_vi}\n\n{link}\n\n---\n\n{body_en}\n\n{link}\n");
        Mail { subject: subject_vi.to_string(), body }
    }
}

/// Writes one message per distinct address to the outbox (nothing when no mail server is
/// configured: the outbox would only grow).
pub fn queue(tx: &mut Tx, config: &Config, recipients: &[String], mail: &Mail) -> StoreResult<()> {
    if config.smtp.host.is_none() {
        return Ok(());
    }
    let mut seen = std::collections::HashSet::new();
    let now = store::now();
    for recipient in recipients.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
        if !seen.insert(recipient.to_lowercase()) {
            continue;
        }
        outbox::insert(
            tx,
            &MailRow {
                id: store::new_id(),
                recipient: recipient.to_string(),
                subject: mail.subject.clone(),
                body: mail.body.clone(),
                created: now,
                next_attempt: now,
                attempts: 0,
                sent_time: None,
                last_error: None,
            },
        )?;
    }
    Ok(())
}

/// The addresses of an organisation's active editors and admins (who act for a department).
pub fn department_addresses(tx: &mut Tx, organization_id: &str) -> StoreResult<Vec<String>> {
    let ids: Vec<String> = members::list_in_group(tx, organization_id, Some("user"))?
        .into_iter()
        .filter(|m| m.state == "active" && (m.capacity == "editor" || m.capacity == "admin"))
        .map(|m| m.table_id)
        .collect();
    Ok(addresses(users::find_many(tx, &ids)?))
}

/// A user's address (none when the user has none or is deleted).
pub fn user_addresses(tx: &mut Tx, user_id: &str) -> StoreResult<Vec<String>> {
    Ok(addresses(users::find(tx, user_id)?.into_iter().collect()))
}

/// The sysadmins' addresses: the operator of the portal.
pub fn operator_addresses(tx: &mut Tx) -> StoreResult<Vec<String>> {
    Ok(addresses(users::all(tx)?.into_iter().filter(|u| u.sysadmin).collect()))
}

fn addresses(users: Vec<users::UserRow>) -> Vec<String> {
    users.into_iter().filter(|u| u.state == "active").filter_map(|u| u.email).filter(|e| e.contains('@')).collect()
}
