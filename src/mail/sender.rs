//! Sends the outbox: a thread of `kho serve` that, every `poll_seconds`, takes the messages due
//! (a node takes a message with a conditional update, so two nodes never send it twice) and
//! hands them to the SMTP server; a failed message is tried again later, up to
//! [`MAX_ATTEMPTS`] times, with a growing wait.

use std::sync::Arc;
use std::time::Duration;

use lettre::Transport;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::SmtpTransport;
use lettre::transport::smtp::authentication::Credentials;

use crate::actions::Services;
use crate::config::SmtpConfig;
use crate::store::{self, Store, outbox};

/// Attempts before a message is given up (its last error stays in the outbox).
pub const MAX_ATTEMPTS: i32 = 8;
/// How long a node holds a message it is sending.
const LEASE_SECONDS: i64 = 600;
const BATCH: i64 = 50;

/// The SMTP connection settings, checked.
pub struct Sender {
    transport: SmtpTransport,
    from: Mailbox,
}

impl Sender {
    /// Checks the `[smtp]` settings; `None` when no host is set.
    pub fn new(config: &SmtpConfig) -> anyhow::Result<Option<Sender>> {
        let Some(host) = config.host.as_deref() else { return Ok(None) };
        let builder = match config.security.as_str() {
            "starttls" => SmtpTransport::starttls_relay(host)?,
            "tls" => SmtpTransport::relay(host)?,
            "none" => SmtpTransport::builder_dangerous(host),
            other => anyhow::bail!("smtp security must be starttls, tls or none, not {other:?}"),
        };
        let mut builder = builder.port(config.port).timeout(Some(Duration::from_secs(30)));
        if let Some(username) = &config.username {
            builder =
                builder.credentials(Credentials::new(username.clone(), config.password.clone().unwrap_or_default()));
        }
        let from = config.from.parse::<Mailbox>().map_err(|e| anyhow::anyhow!("smtp from {:?}: {e}", config.from))?;
        Ok(Some(Sender { transport: builder.build(), from }))
    }

    fn send(&self, row: &outbox::MailRow) -> anyhow::Result<()> {
        let to = row.recipient.parse::<Mailbox>()?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&row.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(row.body.clone())?;
        self.transport.send(&message)?;
        Ok(())
    }

    /// Sends the messages due now; returns how many went.
    pub fn send_due(&self, store: &Store) -> anyhow::Result<usize> {
        let now = store::now();
        let due = store.read(|tx| outbox::due(tx, now, MAX_ATTEMPTS, BATCH))?;
        let mut sent = 0;
        for row in due {
            let lease = now + chrono::Duration::seconds(LEASE_SECONDS);
            if !store.write(|tx| outbox::claim(tx, &row, lease))? {
                continue;
            }
            match self.send(&row) {
                Ok(()) => {
                    store.write(|tx| outbox::mark_sent(tx, &row.id, store::now()))?;
                    sent += 1;
                }
                Err(error) => {
                    let attempts = row.attempts + 1;
                    let wait = chrono::Duration::minutes(1i64 << attempts.clamp(0, 10));
                    tracing::warn!(%error, attempts, "mail not sent");
                    store.write(|tx| {
                        outbox::mark_failed(tx, &row.id, &error.to_string(), attempts, store::now() + wait)
                    })?;
                }
            }
        }
        Ok(sent)
    }
}

/// Starts the sender thread when a mail server is configured.
pub fn start(services: &Arc<Services>) -> anyhow::Result<()> {
    let Some(sender) = Sender::new(&services.config.smtp)? else { return Ok(()) };
    let weak = Arc::downgrade(services);
    let poll = Duration::from_secs(services.config.smtp.poll_seconds.max(1));
    std::thread::Builder::new().name("kho-mail".into()).spawn(move || {
        loop {
            let Some(services) = weak.upgrade() else { return };
            let today = crate::workflows::Calendar::local(store::now()).date();
            if let Err(error) = crate::workflows::reminders::queue_due(&services, today) {
                tracing::warn!(%error, "quarterly reminders failed");
            }
            if let Err(error) = sender.send_due(&services.store) {
                tracing::warn!(%error, "mail round failed");
            }
            drop(services);
            std::thread::sleep(poll);
        }
    })?;
    Ok(())
}
