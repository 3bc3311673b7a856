//! A server that accepts connections and never answers: what a hung service looks like.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// A port on 127.0.0.1 that accepts every connection and holds it open without sending a
/// byte, until dropped (then its thread is stopped and joined, the connections closed).
///
/// ```
/// use std::io::Read;
/// use std::time::Duration;
/// let port = emulator_kit::SilentPort::start().unwrap();
/// let mut s = std::net::TcpStream::connect(port.addr()).unwrap();
/// s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
/// assert!(s.read(&mut [0u8; 1]).is_err(), "nothing is ever sent");
/// ```
#[derive(Debug)]
pub struct SilentPort {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl SilentPort {
    /// Binds a free port on 127.0.0.1 and starts accepting.
    pub fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut open: Vec<TcpStream> = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((s, _)) => open.push(s),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Ok(Self {
            addr,
            stop,
            thread: Some(thread),
        })
    }

    /// The address, `127.0.0.1:port`.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:port`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for SilentPort {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
