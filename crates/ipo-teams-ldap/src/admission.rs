//! Who gets a connection: at most `max_connections_per_address` from any one client
//! address, at most `max_connections` from addresses other than IP Office's, and IP
//! Office's own addresses outside that pool, so a flood from elsewhere (or many slow
//! clients) never leaves IP Office without a connection to its directory.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use crate::config::DirectoryConfig;

/// Why a connection was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Full {
    /// Its address already has `max_connections_per_address`.
    Address,
    /// The shared pool (`max_connections`) is taken.
    Service,
}

impl Full {
    pub(crate) fn what(self) -> &'static str {
        match self {
            Full::Address => "too many connections from this address",
            Full::Service => "too many connections",
        }
    }
}

#[derive(Debug, Default)]
struct Counts {
    per_address: HashMap<IpAddr, usize>,
    pooled: usize,
}

/// The connection counts of one service.
#[derive(Debug)]
pub(crate) struct Admission {
    per_address: usize,
    pool: usize,
    ip_office: Vec<IpAddr>,
    counts: Mutex<Counts>,
}

/// A connection admitted; dropping it frees its place.
#[derive(Debug)]
pub(crate) struct Ticket {
    admission: Arc<Admission>,
    addr: IpAddr,
    pooled: bool,
}

impl Admission {
    pub(crate) fn new(config: &DirectoryConfig) -> Arc<Self> {
        Arc::new(Self {
            per_address: config.max_connections_per_address,
            pool: config.max_connections,
            ip_office: config
                .ip_office_addresses
                .iter()
                .map(IpAddr::to_canonical)
                .collect(),
            counts: Mutex::default(),
        })
    }

    /// Admits a connection from `addr`, or says which limit it meets.
    pub(crate) fn admit(self: &Arc<Self>, addr: IpAddr) -> Result<Ticket, Full> {
        // An IPv4 client of a listener on `[::]` shows as ::ffff:a.b.c.d.
        let addr = addr.to_canonical();
        let pooled = !self.ip_office.contains(&addr);
        let mut c = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let mine = c.per_address.get(&addr).copied().unwrap_or(0);
        if mine >= self.per_address {
            return Err(Full::Address);
        }
        if pooled && c.pooled >= self.pool {
            return Err(Full::Service);
        }
        *c.per_address.entry(addr).or_insert(0) += 1;
        if pooled {
            c.pooled += 1;
        }
        Ok(Ticket {
            admission: Arc::clone(self),
            addr,
            pooled,
        })
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut c = self
            .admission
            .counts
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(n) = c.per_address.get_mut(&self.addr) {
            *n -= 1;
            if *n == 0 {
                c.per_address.remove(&self.addr);
            }
        }
        if self.pooled {
            c.pooled -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_address_and_for_the_pool_with_room_for_ip_office() {
        let mut cfg = DirectoryConfig::new("127.0.0.1:0".parse().unwrap(), "ou=teams");
        cfg.max_connections = 3;
        cfg.max_connections_per_address = 2;
        cfg.ip_office_addresses = vec!["192.0.2.9".parse().unwrap()];
        let a = Admission::new(&cfg);
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let t1 = a.admit(ip("198.51.100.1")).unwrap();
        let _t2 = a.admit(ip("198.51.100.1")).unwrap();
        assert_eq!(a.admit(ip("198.51.100.1")).unwrap_err(), Full::Address);
        let _t3 = a.admit(ip("198.51.100.2")).unwrap();
        assert_eq!(a.admit(ip("198.51.100.3")).unwrap_err(), Full::Service);
        // IP Office, also as an IPv4-mapped IPv6 address: outside the pool, its own limit.
        let _o1 = a.admit(ip("192.0.2.9")).unwrap();
        let _o2 = a.admit(ip("::ffff:192.0.2.9")).unwrap();
        assert_eq!(a.admit(ip("192.0.2.9")).unwrap_err(), Full::Address);
        drop(t1);
        assert!(a.admit(ip("198.51.100.3")).is_ok());
    }
}
