//! The messages the portal sends, as a UK energy supplier writes them: who it is from, why the
//! recipient is getting it, what to do, until when the link works (UK time), and what to do if
//! they did not expect it. Plain text first; the HTML part says the same.
use chrono::{DateTime, Utc};
use chrono_tz::Europe::London;

use super::Mail;
use crate::domain::email_link::LinkPurpose;

const SIGNATURE: &str = "Northgate Energy Business Services\n\
Northgate Energy Ltd is registered in England and Wales. This is an automated message: replies \
to this address are not read. For help, contact your account manager.";

/// "14:05 on Tuesday 2 December 2026" in UK time.
pub fn uk_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&London)
        .format("%H:%M on %A %-d %B %Y")
        .to_string()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html(paragraphs: &[String], link: &str, button: &str) -> String {
    let mut out = String::from(
        "<!DOCTYPE html><html lang=\"en-GB\"><body style=\"font-family:Arial,sans-serif;color:#1b2a3a\">",
    );
    for (i, p) in paragraphs.iter().enumerate() {
        out.push_str(&format!("<p>{}</p>", escape(p).replace('\n', "<br>")));
        // The button after the paragraph that says to open the link.
        if i == 2 {
            out.push_str(&format!(
                "<p><a href=\"{}\" style=\"background:#0b5394;color:#fff;padding:10px 16px;text-decoration:none;border-radius:4px\">{}</a></p>\
                 <p style=\"font-size:13px\">If the button does not work, copy this address into your browser:<br>{}</p>",
                escape(link),
                escape(button),
                escape(link)
            ));
        }
    }
    out.push_str(&format!(
        "<p style=\"font-size:12px;color:#5b6b7b\">{}</p></body></html>",
        escape(SIGNATURE).replace('\n', "<br>")
    ));
    out
}

/// An invitation to the portal: `inviter` (a name) has added the recipient to `organisation`.
pub fn invitation(
    to_email: &str,
    to_name: &str,
    inviter: &str,
    organisation: &str,
    link: &str,
    expires_at: DateTime<Utc>,
) -> Mail {
    let lifetime = LinkPurpose::Invitation.lifetime_words();
    let until = uk_time(expires_at);
    let greeting = format!("Dear {to_name},");
    let why = format!(
        "{inviter} has invited you to the Northgate Energy business portal for {organisation}, \
         where you can see your sites' half-hourly consumption, invoices and contracts."
    );
    let what = format!(
        "To accept, open the link below and choose your password. The link can be used once and \
         works for {lifetime}, until {until} (UK time)."
    );
    let ignore = "If you were not expecting this invitation, you can ignore this e-mail: no account \
                  is usable until the link is opened and a password chosen."
        .to_string();
    let text = format!("{greeting}\n\n{why}\n\n{what}\n\n{link}\n\n{ignore}\n\n-- \n{SIGNATURE}\n");
    Mail {
        to_email: to_email.to_owned(),
        to_name: to_name.to_owned(),
        subject: format!("You are invited to the Northgate Energy business portal ({organisation})"),
        html: html(&[greeting, why, what, ignore], link, "Accept the invitation"),
        text,
    }
}

/// A password reset the recipient (or someone giving their address) asked for.
pub fn password_reset(to_email: &str, to_name: &str, link: &str, expires_at: DateTime<Utc>) -> Mail {
    let lifetime = LinkPurpose::PasswordReset.lifetime_words();
    let until = uk_time(expires_at);
    let greeting = format!("Dear {to_name},");
    let why = "We received a request to reset the password of your Northgate Energy business \
               portal account."
        .to_string();
    let what = format!(
        "To choose a new password, open the link below. The link can be used once and works for \
         {lifetime}, until {until} (UK time). Choosing a new password signs you out on every other \
         device."
    );
    let ignore = "If you did not ask for this, you can ignore this e-mail: your password stays as \
                  it is. If you keep receiving these e-mails, please tell your account manager."
        .to_string();
    let text = format!("{greeting}\n\n{why}\n\n{what}\n\n{link}\n\n{ignore}\n\n-- \n{SIGNATURE}\n");
    Mail {
        to_email: to_email.to_owned(),
        to_name: to_name.to_owned(),
        subject: "Reset your Northgate Energy portal password".to_string(),
        html: html(&[greeting, why, what, ignore], link, "Choose a new password"),
        text,
    }
}

/// The daily digest of new alerts of the rules the recipient chose, grouped as the Alerts page
/// shows them (`groups` is never empty: no alerts, no e-mail).
pub fn alert_digest(
    to_email: &str,
    to_name: &str,
    groups: &[crate::domain::alerts::AlertGroup],
    rules: &[crate::domain::alerts::Rule],
    link: &str,
) -> Mail {
    let count: usize = groups.iter().map(|g| g.alerts.len()).sum();
    let greeting = format!("Dear {to_name},");
    let why = format!(
        "{count} new alert{} since our last e-mail{}:",
        if count == 1 { "" } else { "s" },
        if groups
            .iter()
            .map(|g| g.first().organisation_id)
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            > 1
        {
            " across your customers"
        } else {
            ""
        }
    );
    let list = groups
        .iter()
        .map(|g| {
            let a = g.first();
            format!(
                "• {} — {} — {}: {}",
                a.rule.label(),
                a.subject(),
                g.days(),
                g.headline()
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let chosen: Vec<&str> = rules.iter().map(|r| r.label()).collect();
    let about = format!(
        "You get this e-mail because you asked for alerts about: {}. To change that, or to \
         acknowledge these alerts, open the Alerts page of the portal.",
        chosen.join(", ").to_lowercase()
    );
    let text = format!("{greeting}\n\n{why}\n\n{list}\n\n{link}\n\n{about}\n\n-- \n{SIGNATURE}\n");
    Mail {
        to_email: to_email.to_owned(),
        to_name: to_name.to_owned(),
        subject: format!(
            "{count} new alert{} from your Northgate Energy portal",
            if count == 1 { "" } else { "s" }
        ),
        html: html(&[greeting, why, list, about], link, "Open your alerts"),
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_are_said_in_uk_time() {
        // 1 July: BST (UTC+1); 1 December: GMT.
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 13, 5, 0).unwrap();
        assert_eq!(uk_time(summer), "14:05 on Wednesday 1 July 2026");
        let winter = Utc.with_ymd_and_hms(2026, 12, 1, 13, 5, 0).unwrap();
        assert_eq!(uk_time(winter), "13:05 on Tuesday 1 December 2026");
    }

    #[test]
    fn an_invitation_says_who_why_how_long_and_carries_the_link_once_in_text() {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 13, 5, 0).unwrap();
        let m = invitation(
            "a@b.example",
            "Ann <Lee>",
            "Faye",
            "Castlegate Group Ltd",
            "https://p.example/welcome?token=ab",
            at,
        );
        assert!(m.text.starts_with("Dear Ann <Lee>,"));
        assert!(m.text.contains("Faye has invited you"));
        assert!(m
            .text
            .contains("72 hours, until 13:05 on Tuesday 1 December 2026 (UK time)"));
        assert_eq!(m.text.matches("https://p.example/welcome?token=ab").count(), 1);
        assert!(m.html.contains("Ann &lt;Lee&gt;"), "HTML is escaped");
        assert!(m.subject.contains("Castlegate Group Ltd"));
    }

    #[test]
    fn a_reset_says_how_long_and_what_to_do_if_unexpected() {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 13, 5, 0).unwrap();
        let m = password_reset(
            "a@b.example",
            "Ann",
            "https://p.example/reset-password?token=cd",
            at,
        );
        assert!(m.text.contains("1 hour, until 13:05"));
        assert!(m.text.contains("did not ask for this"));
        assert!(m.text.contains("https://p.example/reset-password?token=cd"));
    }
}
