//! Pages of a listing, `@odata.nextLink` with an opaque `$skiptoken`, `$top`, `$count`, and the
//! optional empty page in the middle.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::state::Shared;
use crate::wire::{Req, Resp, bad_request, build_query, decode_token, encode_token};

/// Where a listing resumes. `e`: 1 = serve the injected empty page now, 2 = it was served.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
struct Skip {
    o: usize,
    e: u8,
}

/// The page size for this request: `$top` (1..=999, default 100), capped by the settings.
pub(super) fn page_size(sh: &Shared, req: &Req) -> Result<usize, Resp> {
    let cap = sh.settings().page_size;
    match req.param("$top") {
        None => Ok(crate::DEFAULT_PAGE_SIZE.min(cap)),
        Some(t) => match t.parse::<usize>() {
            Ok(n) if (1..=crate::MAX_PAGE_SIZE).contains(&n) => Ok(n.min(cap)),
            _ => Err(bad_request(&format!(
                "Invalid page size specified: '{t}'. Must be between 1 and {} inclusive.",
                crate::MAX_PAGE_SIZE
            ))),
        },
    }
}

/// `$count=true` (which needs the advanced-query header, as in Graph).
pub(super) fn wants_count(req: &Req) -> Result<bool, Resp> {
    let on = req
        .param("$count")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if on && !has_eventual(req) {
        return Err(bad_request(
            "$count is not currently supported without the ConsistencyLevel: eventual header.",
        ));
    }
    Ok(on)
}

pub(super) fn has_eventual(req: &Req) -> bool {
    req.header("consistencylevel")
        .is_some_and(|v| v.eq_ignore_ascii_case("eventual"))
}

/// A link to the same path with `params` (absolute, pointing at the emulator).
pub(super) fn link(sh: &Shared, path: &str, params: &[(String, String)]) -> String {
    if params.is_empty() {
        format!("{}{path}", sh.base)
    } else {
        format!("{}{path}?{}", sh.base, build_query(params))
    }
}

/// Where a page starts and whether the next link leads to the injected empty page.
pub(super) struct Window {
    pub(super) start: usize,
    pub(super) len: usize,
    /// This request is the injected empty page.
    pub(super) empty_now: bool,
    empty_state: u8,
}

impl Window {
    /// `Some(token)` for the page after this one when there is one.
    pub(super) fn next(&self, total: usize, inject: bool) -> Option<String> {
        if self.empty_now {
            return Some(encode_token(&Skip {
                o: self.start,
                e: 2,
            }));
        }
        let end = self.start + self.len;
        (end < total).then(|| {
            let e = if inject && self.empty_state == 0 {
                1
            } else {
                self.empty_state
            };
            encode_token(&Skip { o: end, e })
        })
    }
}

/// Reads the window of this request from an opaque token (`None`: first page).
pub(super) fn window(token: Option<&str>, size: usize, total: usize) -> Result<Window, Resp> {
    let skip = match token {
        None => Skip::default(),
        Some(t) => decode_token::<Skip>(t).ok_or_else(|| bad_request("Invalid skip token."))?,
    };
    let start = skip.o.min(total);
    let empty_now = skip.e == 1;
    Ok(Window {
        start,
        len: if empty_now {
            0
        } else {
            size.min(total - start)
        },
        empty_now,
        empty_state: skip.e,
    })
}

/// One page of `items` as Graph answers it.
pub(super) fn page(sh: &Shared, req: &Req, context: &str, items: Vec<Value>) -> Resp {
    let size = match page_size(sh, req) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let count = match wants_count(req) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let token = req.param("$skiptoken");
    let total = items.len();
    let w = match window(token, size, total) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        Value::from(format!("{}/$metadata#{context}", sh.graph_base())),
    );
    if count && token.is_none() {
        body.insert("@odata.count".into(), Value::from(total));
    }
    let inject = sh.settings().inject_empty_page;
    if let Some(next) = w.next(total, inject) {
        let mut params: Vec<(String, String)> = req
            .query
            .iter()
            .filter(|(k, _)| !k.trim_start_matches('$').eq_ignore_ascii_case("skiptoken"))
            .cloned()
            .collect();
        params.push(("$skiptoken".into(), next));
        body.insert(
            "@odata.nextLink".into(),
            Value::from(link(sh, &req.path, &params)),
        );
    }
    let value: Vec<Value> = items.into_iter().skip(w.start).take(w.len).collect();
    body.insert("value".into(), Value::from(value));
    Resp::ok(Value::Object(body))
}
