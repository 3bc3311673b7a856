//! Cuts the bytes a client sends into LDAP messages. The header is read first: a message
//! that is not a SEQUENCE, or whose length is over the limit, is refused as soon as those
//! few bytes are in, without waiting for (or buffering) the rest. A whole message is then
//! parsed by the BER parser directly, so a malformed one becomes a short refusal here
//! rather than the codec logging the message's bytes.

use bytes::{Buf, BytesMut};
use ldap3_lber::common::TagClass;
use ldap3_lber::parse::{DEFAULT_MAX_BER_DEPTH, Parser};
use ldap3_lber::structure::{PL, StructureTag};
use ldap3_proto::control::LdapControl;
use ldap3_proto::proto::LdapMsg;

use crate::search::PAGED_RESULTS_OID;

/// Why a client's bytes are not a message this service accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BadMessage {
    /// The first byte is not a SEQUENCE tag (0x30): not LDAP at all.
    NotLdap,
    /// BER's indefinite length, which LDAP forbids (RFC 4511 section 5.1).
    IndefiniteLength,
    /// A length over `max_message_bytes` (the whole message, header included).
    TooLong {
        /// The length the header claims, header included (saturated).
        claimed: u64,
    },
    /// A message of acceptable length that is not a valid LDAP message.
    Malformed,
}

impl BadMessage {
    /// A few words for the log and the notice of disconnection.
    pub(crate) fn what(&self, limit: usize) -> String {
        match self {
            BadMessage::NotLdap => "not an LDAP message".into(),
            BadMessage::IndefiniteLength => "BER indefinite length, not allowed in LDAP".into(),
            BadMessage::TooLong { claimed } => {
                format!("message of {claimed} bytes, over the {limit}-byte limit")
            }
            BadMessage::Malformed => "malformed LDAP message".into(),
        }
    }
}

/// The next whole message in `buf`, removed from it; `None` while it is incomplete. A
/// refused message is left in `buf`.
pub(crate) fn next_message(buf: &mut BytesMut, max: usize) -> Result<Option<LdapMsg>, BadMessage> {
    let Some(total) = message_length(buf, max)? else {
        return Ok(None);
    };
    if buf.len() < total {
        return Ok(None);
    }
    // Parsed in place and removed only once it is a message: a refused one stays in `buf`
    // for the refusal to show its first bytes.
    let mut tag = match Parser::new(DEFAULT_MAX_BER_DEPTH).parse(&buf[..total]) {
        Ok((rest, tag)) if rest.is_empty() && is_envelope(&tag) => tag,
        _ => return Err(BadMessage::Malformed),
    };
    let unknown_critical = trim_controls(&mut tag);
    let mut msg = LdapMsg::try_from(tag).map_err(|_| BadMessage::Malformed)?;
    buf.advance(total);
    if let Some(oid) = unknown_critical {
        msg.ctrl.push(LdapControl::Unknown {
            oid,
            criticality: true,
            value: None,
        });
    }
    Ok(Some(msg))
}

/// The longest control OID shown: a critical control the service does not know is refused
/// naming it, so a client-made OID of any length is cut to this.
const MAX_OID: usize = 64;

/// Keeps only the control the service acts on, paged results, for the codec to decode. The
/// others are removed before it sees them, because it logs every control it does not know
/// by its OID (one line per request, as long as the client likes): a non-critical one is
/// ignored, as RFC 4511 section 4.1.11 lets a server do, and the first critical one is
/// returned, its OID cut to [`MAX_OID`], for the search to be refused.
fn trim_controls(tag: &mut StructureTag) -> Option<String> {
    let PL::C(parts) = &mut tag.payload else {
        return None;
    };
    let PL::C(controls) = &mut parts.get_mut(2)?.payload else {
        return None;
    };
    let mut unknown_critical = None;
    controls.retain(|c| {
        let PL::C(fields) = &c.payload else {
            return true; // malformed: the codec refuses it
        };
        let oid = match fields.first().map(|f| &f.payload) {
            Some(PL::P(oid)) => oid,
            _ => return true,
        };
        if oid.as_slice() == PAGED_RESULTS_OID.as_bytes() {
            return true;
        }
        let critical = fields.get(1).is_some_and(|f| {
            f.id == 1 && matches!(&f.payload, PL::P(v) if v.iter().any(|b| *b != 0))
        });
        if critical && unknown_critical.is_none() {
            let shown = &oid[..oid.len().min(MAX_OID)];
            unknown_critical = Some(String::from_utf8_lossy(shown).into_owned());
        }
        false
    });
    unknown_critical
}

/// Whether `tag` has an LDAPMessage's outer shape: a message id (INTEGER) and an operation
/// (APPLICATION class), controls optional, and a search's filter tagged as filters are.
/// Checked first because the conversion logs a line at ERROR for each message without it.
fn is_envelope(tag: &StructureTag) -> bool {
    let PL::C(parts) = &tag.payload else {
        return false;
    };
    let id_ok = |t: &StructureTag| {
        t.class == TagClass::Universal
            && t.id == 2
            && matches!(&t.payload, PL::P(v) if (1..=8).contains(&v.len()))
    };
    match parts.as_slice() {
        [id, op] | [id, op, _] => {
            id_ok(id) && op.class == TagClass::Application && search_filter_ok(op)
        }
        _ => false,
    }
}

/// A search request's filter (its seventh part) is context-tagged all the way down; other
/// operations have no filter.
fn search_filter_ok(op: &StructureTag) -> bool {
    match (op.id, &op.payload) {
        (3, PL::C(parts)) => parts.get(6).is_some_and(filter_ok),
        _ => true,
    }
}

/// `and` (0), `or` (1) and `not` (2) hold filters; the other choices are leaves. The BER
/// parser's depth limit bounds the recursion.
fn filter_ok(f: &StructureTag) -> bool {
    if f.class != TagClass::Context {
        return false;
    }
    match (f.id, &f.payload) {
        (0..=2, PL::C(inner)) => inner.iter().all(filter_ok),
        (0..=2, PL::P(_)) => false,
        _ => true,
    }
}

/// The whole length of the message `buf` starts with, once its header is in.
fn message_length(buf: &[u8], max: usize) -> Result<Option<usize>, BadMessage> {
    let Some(&tag) = buf.first() else {
        return Ok(None);
    };
    if tag != 0x30 {
        return Err(BadMessage::NotLdap);
    }
    let Some(&first) = buf.get(1) else {
        return Ok(None);
    };
    let (header, content) = match first {
        0..0x80 => (2, u64::from(first)),
        0x80 => return Err(BadMessage::IndefiniteLength),
        _ => {
            let n = usize::from(first & 0x7f);
            if n > 8 {
                // More than eight length bytes name more than any limit can be.
                return Err(BadMessage::TooLong { claimed: u64::MAX });
            }
            let Some(bytes) = buf.get(2..2 + n) else {
                return Ok(None);
            };
            let len = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
            (2 + n, len)
        }
    };
    let claimed = content.saturating_add(header as u64);
    match usize::try_from(claimed) {
        Ok(total) if total <= max => Ok(Some(total)),
        _ => Err(BadMessage::TooLong { claimed }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn next(bytes: &[u8]) -> Result<Option<LdapMsg>, BadMessage> {
        next_message(&mut BytesMut::from(bytes), 32 * 1024)
    }

    #[test]
    fn a_header_decides_before_the_body_arrives() {
        assert_eq!(next(&[]), Ok(None));
        assert_eq!(next(&[0x30]), Ok(None));
        assert_eq!(next(&[0x47]), Err(BadMessage::NotLdap));
        assert_eq!(next(&[0x30, 0x84, 0x00]), Ok(None));
        assert_eq!(
            next(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xf0]),
            Err(BadMessage::TooLong {
                claimed: 0xffff_fff0 + 6
            })
        );
        assert_eq!(
            next(&[0x30, 0x89]),
            Err(BadMessage::TooLong { claimed: u64::MAX })
        );
        assert_eq!(next(&[0x30, 0x80]), Err(BadMessage::IndefiniteLength));
        // 32 KiB exactly is accepted (and waited for); one more byte is not.
        assert_eq!(next(&[0x30, 0x82, 0x7f, 0xfc]), Ok(None));
        assert_eq!(
            next(&[0x30, 0x82, 0x7f, 0xfd]),
            Err(BadMessage::TooLong {
                claimed: 32 * 1024 + 1
            })
        );
    }

    #[test]
    fn whole_messages_are_parsed_and_removed_one_at_a_time() {
        // Two unbind requests (msgid 1 and 2) back to back, then half of a third.
        let mut buf = BytesMut::from(
            &[
                0x30, 0x05, 0x02, 0x01, 0x01, 0x42, 0x00, 0x30, 0x05, 0x02, 0x01, 0x02, 0x42, 0x00,
                0x30, 0x05, 0x02,
            ][..],
        );
        let a = next_message(&mut buf, 1024).unwrap().unwrap();
        let b = next_message(&mut buf, 1024).unwrap().unwrap();
        assert_eq!((a.msgid, b.msgid), (1, 2));
        assert_eq!(next_message(&mut buf, 1024), Ok(None));
        assert_eq!(buf.len(), 3);
        // A SEQUENCE that is not an LDAP message.
        assert_eq!(
            next(&[0x30, 0x03, 0x02, 0x01, 0x05]),
            Err(BadMessage::Malformed)
        );
    }
}
