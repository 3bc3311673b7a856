//! One client connection: its bind state, its paged searches, and the answer to each
//! request. Reading and socket I/O live in `connection`; this file only decides.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use ldap3_proto::control::LdapControl;
use ldap3_proto::proto::{
    LdapBindCred, LdapBindRequest, LdapBindResponse, LdapExtendedRequest, LdapExtendedResponse,
    LdapFilter, LdapMsg, LdapOp, LdapResult, LdapResultCode, LdapSearchRequest, LdapSearchScope,
};
use tracing::{debug, info};

use crate::dn::NormDn;
use crate::filter::Compiled;
use crate::refusal::short_name;
use crate::search::{Hit, Selection, Tree};
use crate::server::Shared;
use crate::set::EntrySet;

/// Paged searches one connection may leave open; opening another forgets the oldest.
const MAX_OPEN_PAGED: usize = 8;

/// RFC 3062 password modify: a write, refused like the others.
const PASSWORD_MODIFY_OID: &str = "1.3.6.1.4.1.4203.1.11.1";

/// What the connection does after answering.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum After {
    Continue,
    Close,
    /// Close, and log the refusal: what the client did.
    Refuse(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Auth {
    None,
    Anonymous,
    User,
}

/// A paged search in progress: the set it started on (kept, so pages never mix two sets)
/// and the hits still to send.
struct Paged {
    request: LdapSearchRequest,
    set: Arc<EntrySet>,
    hits: Vec<Hit>,
    pos: usize,
    truncated: bool,
}

/// One connection's state.
pub(crate) struct Session {
    peer: SocketAddr,
    auth: Auth,
    /// The LDAP version of the last bind (3 until one says otherwise).
    version: i64,
    paged: BTreeMap<u64, Paged>,
    next_cookie: u64,
}

fn result(code: LdapResultCode, message: impl Into<String>) -> LdapResult {
    LdapResult {
        code,
        matcheddn: String::new(),
        message: message.into(),
        referral: Vec::new(),
    }
}

fn reply(msgid: i32, op: LdapOp) -> LdapMsg {
    LdapMsg {
        msgid,
        op,
        ctrl: Vec::new(),
    }
}

impl Session {
    pub(crate) fn new(peer: SocketAddr) -> Self {
        Self {
            peer,
            auth: Auth::None,
            version: 3,
            paged: BTreeMap::new(),
            next_cookie: 1,
        }
    }

    /// Answers one request; `out` receives the responses in order.
    pub(crate) fn handle(
        &mut self,
        msg: LdapMsg,
        shared: &Shared,
        out: &mut Vec<LdapMsg>,
    ) -> After {
        let id = msg.msgid;
        let refuse = |what: &str| {
            result(
                LdapResultCode::UnwillingToPerform,
                format!("this directory is read-only: {what} refused"),
            )
        };
        match msg.op {
            LdapOp::BindRequest(b) => {
                out.push(reply(id, LdapOp::BindResponse(self.bind(b, shared))))
            }
            LdapOp::UnbindRequest => return After::Close,
            LdapOp::SearchRequest(req) => self.search(id, req, &msg.ctrl, shared, out),
            LdapOp::AbandonRequest(_) => {}
            LdapOp::AddRequest(_) => out.push(reply(id, LdapOp::AddResponse(refuse("add")))),
            LdapOp::ModifyRequest(_) => {
                out.push(reply(id, LdapOp::ModifyResponse(refuse("modify"))))
            }
            LdapOp::DelRequest(_) => out.push(reply(id, LdapOp::DelResponse(refuse("delete")))),
            LdapOp::ModifyDNRequest(_) => {
                out.push(reply(id, LdapOp::ModifyDNResponse(refuse("modify DN"))))
            }
            LdapOp::CompareRequest(c) => {
                let r = match self.compare(&c.dn, &c.atype, &c.val, shared) {
                    Ok(true) => result(LdapResultCode::CompareTrue, ""),
                    Ok(false) => result(LdapResultCode::CompareFalse, ""),
                    Err(r) => r,
                };
                out.push(reply(id, LdapOp::CompareResult(r)));
            }
            LdapOp::ExtendedRequest(LdapExtendedRequest { name, .. }) => {
                let res = if name == PASSWORD_MODIFY_OID {
                    refuse("password modify")
                } else {
                    result(
                        LdapResultCode::ProtocolError,
                        format!("extended operation {name} is not supported"),
                    )
                };
                out.push(reply(
                    id,
                    LdapOp::ExtendedResponse(LdapExtendedResponse {
                        res,
                        name: None,
                        value: None,
                    }),
                ));
            }
            // A response or an intermediate message from a client: it is not speaking LDAP
            // to a server. Close this connection only.
            _ => return After::Refuse("a server's message sent by a client"),
        }
        After::Continue
    }

    fn bind(&mut self, b: LdapBindRequest, shared: &Shared) -> LdapBindResponse {
        // A bind starts over: until it succeeds the connection is unauthenticated.
        self.auth = Auth::None;
        let res = |code, msg: &str| LdapBindResponse {
            res: result(code, msg),
            saslcreds: None,
        };
        if b.version != 2 && b.version != 3 {
            return res(
                LdapResultCode::ProtocolError,
                "only LDAP versions 2 and 3 are supported",
            );
        }
        let pw = match &b.cred {
            LdapBindCred::Simple(pw) => pw,
            _ => {
                return res(
                    LdapResultCode::AuthMethodNotSupported,
                    "only simple bind is supported",
                );
            }
        };
        self.version = b.version;
        if b.dn.is_empty() && pw.is_empty() {
            if shared.config.allow_anonymous {
                self.auth = Auth::Anonymous;
                debug!(peer = %self.peer, version = b.version, "anonymous bind");
                return res(LdapResultCode::Success, "");
            }
            shared
                .refusals
                .refused(self.peer, "anonymous bind not allowed", &[]);
            return res(
                LdapResultCode::InappropriateAuthentication,
                "anonymous bind is not allowed",
            );
        }
        if pw.is_empty() {
            // RFC 4513 section 5.1.2: a name without a password is an unauthenticated bind.
            let what = format!("unauthenticated bind as {}", short_name(&b.dn));
            shared.refusals.refused(self.peer, &what, &[]);
            return res(
                LdapResultCode::UnwillingToPerform,
                "unauthenticated bind (name without password) is not allowed",
            );
        }
        match &shared.config.bind_user {
            Some(u) if same_bind_name(&u.dn, &b.dn) && u.password.matches(pw) => {
                self.auth = Auth::User;
                info!(peer = %self.peer, dn = %short_name(&b.dn), version = b.version, "bind");
                res(LdapResultCode::Success, "")
            }
            _ => {
                let what = format!("bind as {}: wrong name or password", short_name(&b.dn));
                shared.refusals.refused(self.peer, &what, &[]);
                res(LdapResultCode::InvalidCredentials, "")
            }
        }
    }

    fn may_read(&self, shared: &Shared) -> bool {
        match self.auth {
            Auth::User | Auth::Anonymous => true,
            Auth::None => shared.config.allow_anonymous,
        }
    }

    fn compare(
        &self,
        dn: &str,
        atype: &str,
        val: &[u8],
        shared: &Shared,
    ) -> Result<bool, LdapResult> {
        if !self.may_read(shared) {
            return Err(result(
                LdapResultCode::InsufficentAccessRights,
                "bind first",
            ));
        }
        let val = String::from_utf8(val.to_vec())
            .map_err(|_| result(LdapResultCode::InvalidAttributeSyntax, "value is not UTF-8"))?;
        let filter = Compiled::compile(&LdapFilter::Equality(atype.to_owned(), val))
            .map_err(|r| result(LdapResultCode::UnwillingToPerform, r.0))?;
        let set = shared.set.current().ok_or_else(no_set)?;
        let tree = Tree {
            base_dn: &shared.config.base_dn,
            base: &shared.base,
            set: &set,
        };
        let hits = tree
            .find(dn, &LdapSearchScope::Base, &filter)
            .map_err(|(c, m)| result(c, m))?;
        Ok(!hits.is_empty())
    }

    fn search(
        &mut self,
        id: i32,
        req: LdapSearchRequest,
        ctrl: &[LdapControl],
        shared: &Shared,
        out: &mut Vec<LdapMsg>,
    ) {
        let (r, ctrl) = self
            .search_entries(id, &req, ctrl, shared, out)
            .unwrap_or_else(|r| (r, Vec::new()));
        out.push(LdapMsg {
            msgid: id,
            op: LdapOp::SearchResultDone(r),
            ctrl,
        });
    }

    /// Pushes the entries a search returns; its result (and response controls), or the
    /// refusal that ends it before any entry.
    fn search_entries(
        &mut self,
        id: i32,
        req: &LdapSearchRequest,
        ctrl: &[LdapControl],
        shared: &Shared,
        out: &mut Vec<LdapMsg>,
    ) -> Result<Done, LdapResult> {
        if !self.may_read(shared) {
            return Err(result(
                LdapResultCode::InsufficentAccessRights,
                "bind first: anonymous search is not allowed",
            ));
        }
        let paging = self.paging(ctrl)?;
        let filter = Compiled::compile(&req.filter)
            .map_err(|r| result(LdapResultCode::UnwillingToPerform, r.0))?;
        let query = Query {
            id,
            req,
            filter: &filter,
            sel: Selection::new(&req.attrs),
            // The client's own size limit, if it set one, counts every entry (RFC 4511).
            client_limit: usize::try_from(req.sizelimit).ok().filter(|n| *n > 0),
        };
        match paging {
            None => self.search_whole(&query, shared, out),
            Some((page_size, cookie)) => self.search_page(&query, page_size, &cookie, shared, out),
        }
    }

    /// The paged-results control, if asked for (controls are an LDAPv3 feature: a v2 session
    /// gets plain results); a critical control we do not know refuses the search.
    fn paging(&self, ctrl: &[LdapControl]) -> Result<Option<(i64, Vec<u8>)>, LdapResult> {
        let mut paging = None;
        for c in ctrl {
            match c {
                LdapControl::SimplePagedResults { size, cookie } if self.version >= 3 => {
                    paging = Some((*size, cookie.clone()))
                }
                LdapControl::Unknown {
                    oid,
                    criticality: true,
                    ..
                } => {
                    return Err(result(
                        LdapResultCode::UnavailableCriticalExtension,
                        format!("control {oid} is not supported"),
                    ));
                }
                _ => {}
            }
        }
        Ok(paging)
    }

    /// A search without paging: every hit up to the size limits.
    fn search_whole(
        &self,
        q: &Query<'_>,
        shared: &Shared,
        out: &mut Vec<LdapMsg>,
    ) -> Result<Done, LdapResult> {
        let (set, hits) = self.find(q.req, q.filter, shared)?;
        let tree = Tree {
            base_dn: &shared.config.base_dn,
            base: &shared.base,
            set: &set,
        };
        // Ours counts people: the base entry comes on top, so IP Office's 10,000 records
        // and the base all fit in a whole-tree search.
        let others = hits.iter().filter(|h| !matches!(h, Hit::Person(_))).count();
        let ours = shared.config.size_limit.saturating_add(others);
        let limit = q.client_limit.map_or(ours, |n| n.min(ours));
        for h in hits.iter().take(limit) {
            out.push(reply(
                q.id,
                LdapOp::SearchResultEntry(tree.render(*h, &q.sel, q.req.typesonly)),
            ));
        }
        debug!(peer = %self.peer, base = %short_name(&q.req.base), found = hits.len(), "search");
        let r = if hits.len() > limit {
            result(
                LdapResultCode::SizeLimitExceeded,
                format!("{} entries match, {limit} returned", hits.len()),
            )
        } else {
            result(LdapResultCode::Success, "")
        };
        Ok((r, Vec::new()))
    }

    /// Paged results (RFC 2696): a page never holds more than our size limit; the client's
    /// size limit, if any, bounds the whole search.
    fn search_page(
        &mut self,
        q: &Query<'_>,
        page_size: i64,
        cookie: &[u8],
        shared: &Shared,
        out: &mut Vec<LdapMsg>,
    ) -> Result<Done, LdapResult> {
        let key = (!cookie.is_empty()).then(|| cookie_key(cookie)).flatten();
        if !cookie.is_empty() && key.is_none_or(|k| !self.paged.contains_key(&k)) {
            return Err(result(
                LdapResultCode::UnwillingToPerform,
                "paged results cookie is not valid",
            ));
        }
        if page_size <= 0 {
            // A page size of zero abandons the paged search.
            if let Some(k) = key {
                self.paged.remove(&k);
            }
            let r = result(LdapResultCode::Success, "");
            return Ok((r, vec![paged_control(0, Vec::new())]));
        }
        let page = usize::try_from(page_size)
            .unwrap_or(usize::MAX)
            .min(shared.config.size_limit);
        let mut state = match key.and_then(|k| self.paged.remove(&k)) {
            Some(p) => self.same_search(p, q.req)?,
            None => self.new_paged(q, shared)?,
        };
        let tree = Tree {
            base_dn: &shared.config.base_dn,
            base: &shared.base,
            set: &state.set,
        };
        let end = (state.pos + page).min(state.hits.len());
        for h in &state.hits[state.pos..end] {
            out.push(reply(
                q.id,
                LdapOp::SearchResultEntry(tree.render(*h, &q.sel, q.req.typesonly)),
            ));
        }
        state.pos = end;
        let total = i64::try_from(state.hits.len()).unwrap_or(i64::MAX);
        if state.pos < state.hits.len() {
            let k = self.next_cookie;
            self.next_cookie += 1;
            if self.paged.len() >= MAX_OPEN_PAGED {
                self.paged.pop_first();
            }
            self.paged.insert(k, state);
            let r = result(LdapResultCode::Success, "");
            return Ok((r, vec![paged_control(total, k.to_be_bytes().to_vec())]));
        }
        let r = if state.truncated {
            result(LdapResultCode::SizeLimitExceeded, "size limit reached")
        } else {
            result(LdapResultCode::Success, "")
        };
        Ok((r, vec![paged_control(total, Vec::new())]))
    }

    /// A paged search continued: its cookie must belong to the same request (the size limit
    /// aside).
    fn same_search(&self, p: Paged, req: &LdapSearchRequest) -> Result<Paged, LdapResult> {
        let mut same = p.request.clone();
        same.sizelimit = req.sizelimit;
        if same != *req {
            return Err(result(
                LdapResultCode::UnwillingToPerform,
                "paged results cookie belongs to another search",
            ));
        }
        Ok(p)
    }

    /// A paged search started: every hit found now, within the client's size limit.
    fn new_paged(&self, q: &Query<'_>, shared: &Shared) -> Result<Paged, LdapResult> {
        let (set, mut hits) = self.find(q.req, q.filter, shared)?;
        let truncated = q.client_limit.is_some_and(|n| hits.len() > n);
        if let Some(n) = q.client_limit {
            hits.truncate(n);
        }
        Ok(Paged {
            request: q.req.clone(),
            set,
            hits,
            pos: 0,
            truncated,
        })
    }

    /// The current set and the hits of `req` in it.
    fn find(
        &self,
        req: &LdapSearchRequest,
        filter: &Compiled,
        shared: &Shared,
    ) -> Result<(Arc<EntrySet>, Vec<Hit>), LdapResult> {
        let set = match shared.set.current() {
            Some(s) => s,
            // The root DSE needs no set: clients read it to learn what the server offers.
            None if req.scope == LdapSearchScope::Base
                && NormDn::parse(&req.base).is_some_and(|d| d.is_root()) =>
            {
                Arc::new(EntrySet::empty())
            }
            None => return Err(no_set()),
        };
        let tree = Tree {
            base_dn: &shared.config.base_dn,
            base: &shared.base,
            set: &set,
        };
        let hits = tree
            .find(&req.base, &req.scope, filter)
            .map_err(|(c, m)| result(c, m))?;
        Ok((set, hits))
    }
}

fn no_set() -> LdapResult {
    result(
        LdapResultCode::Unavailable,
        "no directory entries yet: no sync run has written the entry set this service serves",
    )
}

/// How a search ends: its result and the response controls.
type Done = (LdapResult, Vec<LdapControl>);

/// One search request as it is answered.
struct Query<'a> {
    id: i32,
    req: &'a LdapSearchRequest,
    filter: &'a Compiled,
    sel: Selection,
    client_limit: Option<usize>,
}

fn paged_control(size: i64, cookie: Vec<u8>) -> LdapControl {
    LdapControl::SimplePagedResults { size, cookie }
}

fn cookie_key(cookie: &[u8]) -> Option<u64> {
    <[u8; 8]>::try_from(cookie).ok().map(u64::from_be_bytes)
}

/// Whether a bind name matches the configured one: as DNs when both are DNs, otherwise as
/// plain user names ignoring case (IP Office's *User Name* field need not hold a DN).
fn same_bind_name(configured: &str, given: &str) -> bool {
    match (NormDn::parse(configured), NormDn::parse(given)) {
        (Some(a), Some(b)) if !a.is_root() => a == b,
        _ => configured.trim().eq_ignore_ascii_case(given.trim()),
    }
}
