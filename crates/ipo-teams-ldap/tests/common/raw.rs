//! A minimal LDAP client over the codec the service itself uses (`ldap3_proto`, kanidm's):
//! for what the `ldap3` client cannot send (an LDAPv2 bind, as IP Office's own service
//! sends it) and for connections from a chosen loopback source address.

use std::net::{IpAddr, SocketAddr};

use bytes::BytesMut;
use ldap3_proto::LdapCodec;
use ldap3_proto::parse_ldap_filter_str;
use ldap3_proto::proto::{
    LdapBindCred, LdapBindRequest, LdapDerefAliases, LdapMsg, LdapOp, LdapResult,
    LdapSearchRequest, LdapSearchResultEntry, LdapSearchScope,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_util::codec::{Decoder, Encoder};

/// One connection speaking LDAP message by message.
pub struct RawClient {
    stream: TcpStream,
    codec: LdapCodec,
    inbuf: BytesMut,
    next_id: i32,
}

impl RawClient {
    /// Connects from the system's choice of source address.
    pub async fn connect(server: SocketAddr) -> std::io::Result<Self> {
        Ok(Self::over(TcpStream::connect(server).await?))
    }

    /// Connects from `source` (any 127.x.y.z works on Linux's loopback).
    pub async fn connect_from(source: IpAddr, server: SocketAddr) -> std::io::Result<Self> {
        Ok(Self::over(connect_from(source, server).await?))
    }

    fn over(stream: TcpStream) -> Self {
        Self {
            stream,
            codec: LdapCodec::new(Some(16 * 1024 * 1024), None),
            inbuf: BytesMut::new(),
            next_id: 1,
        }
    }

    async fn send(&mut self, op: LdapOp) -> std::io::Result<i32> {
        let msgid = self.next_id;
        self.next_id += 1;
        let mut out = BytesMut::new();
        self.codec.encode(
            LdapMsg {
                msgid,
                op,
                ctrl: Vec::new(),
            },
            &mut out,
        )?;
        self.stream.write_all(&out).await?;
        Ok(msgid)
    }

    /// The next message from the server; an error when it closed the connection.
    pub async fn receive(&mut self) -> std::io::Result<LdapMsg> {
        loop {
            if let Some(m) = self.codec.decode(&mut self.inbuf)? {
                return Ok(m);
            }
            if self.stream.read_buf(&mut self.inbuf).await? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    /// A simple bind at LDAP `version` (2 or 3); the server's result.
    pub async fn bind(&mut self, version: i64, dn: &str, pw: &str) -> std::io::Result<LdapResult> {
        let id = self
            .send(LdapOp::BindRequest(LdapBindRequest {
                version,
                dn: dn.to_owned(),
                cred: LdapBindCred::Simple(pw.to_owned()),
            }))
            .await?;
        match self.receive().await? {
            LdapMsg {
                msgid,
                op: LdapOp::BindResponse(r),
                ..
            } if msgid == id => Ok(r.res),
            other => Err(std::io::Error::other(format!(
                "not a bind response: {other:?}"
            ))),
        }
    }

    /// A search with no size limit; the entries and the final result.
    pub async fn search(
        &mut self,
        base: &str,
        scope: LdapSearchScope,
        filter: &str,
        attrs: &[&str],
    ) -> std::io::Result<(Vec<LdapSearchResultEntry>, LdapResult)> {
        let filter = parse_ldap_filter_str(filter)
            .map_err(|e| std::io::Error::other(format!("filter {filter}: {e:?}")))?;
        let id = self
            .send(LdapOp::SearchRequest(LdapSearchRequest {
                base: base.to_owned(),
                scope,
                aliases: LdapDerefAliases::Never,
                sizelimit: 0,
                timelimit: 0,
                typesonly: false,
                filter,
                attrs: attrs.iter().map(|a| a.to_string()).collect(),
            }))
            .await?;
        let mut entries = Vec::new();
        loop {
            let m = self.receive().await?;
            if m.msgid != id {
                return Err(std::io::Error::other(format!("unexpected message {m:?}")));
            }
            match m.op {
                LdapOp::SearchResultEntry(e) => entries.push(e),
                LdapOp::SearchResultDone(r) => return Ok((entries, r)),
                other => return Err(std::io::Error::other(format!("unexpected {other:?}"))),
            }
        }
    }
}

/// `op` as message 1, encoded by the codec, to send as the test likes.
pub fn request_bytes(op: LdapOp) -> Vec<u8> {
    let mut out = BytesMut::new();
    let msg = LdapMsg {
        msgid: 1,
        op,
        ctrl: Vec::new(),
    };
    match LdapCodec::default().encode(msg, &mut out) {
        Ok(()) => out.to_vec(),
        Err(e) => panic!("encoding a request: {e}"),
    }
}

/// A simple bind request, encoded by the codec.
pub fn bind_request_bytes(version: i64, dn: &str, pw: &str) -> Vec<u8> {
    request_bytes(LdapOp::BindRequest(LdapBindRequest {
        version,
        dn: dn.to_owned(),
        cred: LdapBindCred::Simple(pw.to_owned()),
    }))
}

/// A search request for `(objectClass=*)` under `base`, encoded by the codec.
pub fn presence_search_bytes(base: &str) -> Vec<u8> {
    request_bytes(LdapOp::SearchRequest(LdapSearchRequest {
        base: base.to_owned(),
        scope: LdapSearchScope::Subtree,
        aliases: LdapDerefAliases::Never,
        sizelimit: 0,
        timelimit: 0,
        typesonly: false,
        filter: ldap3_proto::proto::LdapFilter::Present("objectClass".to_owned()),
        attrs: Vec::new(),
    }))
}

/// A TCP connection to `server` from the loopback address `source`.
pub async fn connect_from(source: IpAddr, server: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(source, 0))?;
    socket.connect(server).await
}
