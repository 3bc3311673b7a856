//! How an emulator instance is set up.

use std::fmt;
use std::time::Duration;

use ipo_model::{LicensingMode, Platform};

use crate::seed::Seed;
use crate::wire::WireFormat;

/// The service user the emulator accepts. `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Login name.
    pub user: String,
    password: String,
}

impl Credentials {
    /// A service user.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            user: user.into(),
            password: password.into(),
        }
    }

    /// The password. A secret: do not log it.
    pub fn password(&self) -> &str {
        &self.password
    }

    pub(crate) fn matches(&self, user: &str, password: &str) -> bool {
        self.user == user && self.password == password
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &ipo_model::REDACTED)
            .finish()
    }
}

/// One IP Office system of a multi-node solution (Server Edition / Select).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Node {
    /// LAN1 address: the `ipaddress=` selector and every `errorLocation`. Only a label: the
    /// emulator itself always listens on 127.0.0.1.
    pub address: String,
    /// System `Name`.
    pub name: String,
}

impl Node {
    /// A node.
    pub fn new(address: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            address: address.into(),
            name: name.into(),
        }
    }
}

/// Login limits (Avaya's defaults; shorten them in tests with struct update syntax).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Failed logins that lock the account (3).
    pub max_failures: u32,
    /// Window the failures are counted in (10 minutes).
    pub failure_window: Duration,
    /// How long the account stays locked (1 minute).
    pub lockout: Duration,
    /// Concurrent sessions per account (5).
    pub max_sessions: usize,
    /// A session unused this long expires; `None` never.
    pub idle_timeout: Option<Duration>,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            max_failures: 3,
            failure_window: Duration::from_secs(600),
            lockout: Duration::from_secs(60),
            max_sessions: 5,
            idle_timeout: Some(Duration::from_secs(600)),
        }
    }
}

/// Everything an emulator instance starts from.
///
/// ```
/// use ipo_emulator::{EmulatorConfig, WireFormat};
/// use ipo_model::{LicensingMode, Platform};
/// let config = EmulatorConfig::new("api", "secret")
///     .licensing_mode(LicensingMode::Subscription)
///     .platform(Platform::ServerEdition)
///     .default_format(WireFormat::Json)
///     .tls(true);
/// assert!(!format!("{config:?}").contains("secret"));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EmulatorConfig {
    /// The one service user.
    pub credentials: Credentials,
    /// PLDS or subscription: how `AssignedPackage` codes read and which licences exist.
    pub licensing_mode: LicensingMode,
    /// Platform: the `Configuration` field and the capacity limits.
    pub platform: Platform,
    /// Answer format when the request's `Content-Type` names none.
    pub default_format: WireFormat,
    /// Serve HTTPS with the fixture certificate ([`crate::SERVER_CERT_PEM`]).
    pub tls: bool,
    /// Records to start with (`NoUser` is always added).
    pub seed: Seed,
    /// The nodes of a multi-node solution, primary first; empty: one system at 127.0.0.1.
    pub nodes: Vec<Node>,
    /// Seed of the generator behind GUIDs, session tokens and fault rolls.
    pub rng_seed: u64,
    /// Login limits.
    pub sessions: SessionPolicy,
    /// Refuse admin requests without the `X-User-Client`/`X-User-Agent` headers.
    pub require_client_headers: bool,
    /// Most users (excluding `NoUser`); `None` takes the platform's limit.
    pub max_users: Option<usize>,
    /// Most extension records; `None` takes the platform's limit.
    pub max_extensions: Option<usize>,
    /// System `Name` of the primary when `nodes` is empty.
    pub system_name: String,
    /// Version reported as `MajorVersion.MinorVersion.BuildVersion` (e.g. `12.1.0.80`).
    pub version: String,
    /// What `GET systems` answers in `PBXLicense/LicenseMode`. The guide documents no
    /// mapping from licensing mode to this value; its one example shows `4`, which is the
    /// default whatever `licensing_mode` is (so the answer does not settle the mode, as on
    /// a real system: the client's configuration must).
    pub license_mode_wire: String,
    /// What `GET systems` answers in `Configuration`: an operating-mode value, not the
    /// platform (the guide's example shows `11`, the default).
    pub configuration_wire: String,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self::new("ipo-api", "emulator")
    }
}

impl EmulatorConfig {
    /// A PLDS IP500 V2 over plain HTTP answering XML, with this service user and no records.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            credentials: Credentials::new(user, password),
            licensing_mode: LicensingMode::Plds,
            platform: Platform::Ip500V2,
            default_format: WireFormat::Xml,
            tls: false,
            seed: Seed::default(),
            nodes: Vec::new(),
            rng_seed: 0x1B0_0FF1CE,
            sessions: SessionPolicy::default(),
            require_client_headers: true,
            max_users: None,
            max_extensions: None,
            system_name: "IPO-Emulator".into(),
            version: "12.1.0.80".into(),
            license_mode_wire: "4".into(),
            configuration_wire: "11".into(),
        }
    }
    /// Sets what `PBXLicense/LicenseMode` answers.
    pub fn license_mode_wire(mut self, v: impl Into<String>) -> Self {
        self.license_mode_wire = v.into();
        self
    }
    /// Sets the licensing mode.
    pub fn licensing_mode(mut self, m: LicensingMode) -> Self {
        self.licensing_mode = m;
        self
    }
    /// Sets the platform.
    pub fn platform(mut self, p: Platform) -> Self {
        self.platform = p;
        self
    }
    /// Sets the default answer format.
    pub fn default_format(mut self, f: WireFormat) -> Self {
        self.default_format = f;
        self
    }
    /// Serves HTTPS (`true`) or HTTP.
    pub fn tls(mut self, on: bool) -> Self {
        self.tls = on;
        self
    }
    /// Sets the starting records.
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }
    /// Sets the nodes of a multi-node solution, primary first.
    pub fn nodes(mut self, nodes: Vec<Node>) -> Self {
        self.nodes = nodes;
        self
    }
    /// Sets the generator seed.
    pub fn rng_seed(mut self, seed: u64) -> Self {
        self.rng_seed = seed;
        self
    }
    /// Sets the login limits.
    pub fn sessions(mut self, policy: SessionPolicy) -> Self {
        self.sessions = policy;
        self
    }
    /// Overrides the user capacity.
    pub fn max_users(mut self, n: usize) -> Self {
        self.max_users = Some(n);
        self
    }
    /// Overrides the extension capacity.
    pub fn max_extensions(mut self, n: usize) -> Self {
        self.max_extensions = Some(n);
        self
    }

    /// The nodes, with the implicit single system when none were configured.
    pub(crate) fn effective_nodes(&self) -> Vec<Node> {
        if self.nodes.is_empty() {
            vec![Node::new("127.0.0.1", self.system_name.clone())]
        } else {
            self.nodes.clone()
        }
    }
}
