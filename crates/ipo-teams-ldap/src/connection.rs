//! One connection's I/O: reads whole requests within their time bounds, hands each to the
//! session, writes the answers. A request must arrive whole within `request_timeout` of its
//! first byte, however often its bytes come, and the next one start within `idle_timeout`;
//! anything that is not a valid message closes this connection and no other.

use std::net::SocketAddr;

use bytes::BytesMut;
use ldap3_proto::LdapCodec;
use ldap3_proto::proto::{LdapMsg, LdapResultCode};
use ldap3_proto::simple::DisconnectionNotice;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;
use tokio_util::codec::Encoder;
use tracing::debug;

use crate::config::DirectoryConfig;
use crate::frame::next_message;
use crate::refusal::HEX_PREFIX;
use crate::server::Shared;
use crate::session::{After, Session};

/// What reading the next request gave.
enum Next {
    Message(LdapMsg),
    /// The client left, went idle, or the read failed: nothing to say to it.
    Gone,
    /// Refused: what, and the first bytes of the refused request.
    Refused(String, Vec<u8>),
}

/// The read half with its buffer and the time the request in it started to arrive.
struct Incoming<R> {
    rd: R,
    buf: BytesMut,
    started: Option<Instant>,
}

impl<R: AsyncRead + Unpin> Incoming<R> {
    async fn next(&mut self, config: &DirectoryConfig, peer: SocketAddr) -> Next {
        loop {
            match next_message(&mut self.buf, config.max_message_bytes) {
                Ok(Some(m)) => {
                    self.started = (!self.buf.is_empty()).then(Instant::now);
                    return Next::Message(m);
                }
                Ok(None) => {}
                Err(bad) => return self.refused(bad.what(config.max_message_bytes)),
            }
            let idle_end = Instant::now() + config.idle_timeout;
            let deadline = match self.started {
                Some(t) => idle_end.min(t + config.request_timeout),
                None => idle_end,
            };
            match tokio::time::timeout_at(deadline, self.rd.read_buf(&mut self.buf)).await {
                Ok(Ok(0)) => return Next::Gone,
                Ok(Ok(_)) => {
                    self.started.get_or_insert_with(Instant::now);
                }
                Ok(Err(e)) => {
                    debug!(%peer, error = %e, "read failed");
                    return Next::Gone;
                }
                Err(_) if self.started.is_some() => {
                    let what = format!(
                        "request not received whole within request_timeout ({:?})",
                        config.request_timeout
                    );
                    return self.refused(what);
                }
                Err(_) => {
                    debug!(%peer, idle = ?config.idle_timeout, "idle timeout; closing the connection");
                    return Next::Gone;
                }
            }
        }
    }

    fn refused(&self, what: String) -> Next {
        let first = self.buf.iter().take(HEX_PREFIX).copied().collect();
        Next::Refused(what, first)
    }
}

/// Reads requests, answers them, until the client leaves, idles, or sends something that is
/// not a valid LDAP message in time (which closes this connection and no other).
pub(crate) async fn serve_connection<S>(stream: S, peer: SocketAddr, shared: &Shared)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (rd, mut wr) = tokio::io::split(stream);
    let config = &shared.config;
    let mut incoming = Incoming {
        rd,
        buf: BytesMut::with_capacity(4096),
        started: None,
    };
    let mut codec = LdapCodec::default();
    let mut outbuf = BytesMut::new();
    let mut session = Session::new(peer);
    let mut replies: Vec<LdapMsg> = Vec::new();
    debug!(%peer, "connection opened");
    loop {
        let msg = match incoming.next(config, peer).await {
            Next::Message(m) => m,
            Next::Gone => break,
            Next::Refused(what, first) => {
                shared.refusals.refused(peer, &what, &first);
                let notice =
                    DisconnectionNotice::gen_response(LdapResultCode::ProtocolError, &what);
                outbuf.clear();
                if codec.encode(notice, &mut outbuf).is_ok() {
                    let _ =
                        tokio::time::timeout(config.request_timeout, wr.write_all(&outbuf)).await;
                }
                break;
            }
        };
        replies.clear();
        let after = session.handle(msg, shared, &mut replies);
        outbuf.clear();
        for r in replies.drain(..) {
            if let Err(e) = codec.encode(r, &mut outbuf) {
                debug!(%peer, error = %e, "could not encode a response");
                return;
            }
        }
        if !outbuf.is_empty() && !write_answers(&mut wr, &outbuf, config, peer).await {
            break;
        }
        match after {
            After::Continue => {}
            After::Close => break,
            After::Refuse(what) => {
                shared.refusals.refused(peer, what, &[]);
                break;
            }
        }
    }
    let _ = wr.shutdown().await;
    debug!(%peer, "connection closed");
}

/// Writes `out` whole; false when the connection is done for.
async fn write_answers<W: AsyncWrite + Unpin>(
    wr: &mut W,
    out: &[u8],
    config: &DirectoryConfig,
    peer: SocketAddr,
) -> bool {
    // A client that does not read its answers is as idle as one that sends nothing.
    match tokio::time::timeout(config.idle_timeout, wr.write_all(out)).await {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            debug!(%peer, error = %e, "write failed");
            false
        }
        Err(_) => {
            debug!(%peer, "client stopped reading; closing the connection");
            false
        }
    }
}
