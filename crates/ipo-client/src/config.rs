//! Client settings.

use ipo_model::{LicensingMode, Platform, RetryPolicy, Secret};
use std::path::PathBuf;

/// The body format the client speaks. Answers are sniffed by their first byte either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum WireFormat {
    /// XML, the format Avaya's guide documents completely (default).
    #[default]
    Xml,
    /// JSON.
    Json,
}

/// How the server's TLS certificate is checked.
#[derive(Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TlsMode {
    /// Verify against the bundled Mozilla root store (webpki-roots) and the host name.
    #[default]
    PublicRoots,
    /// Verify against the given CA certificate(s) only (PEM), with the host name: the usual
    /// case is IP Office's own root CA, exported from the system.
    TrustCa(String),
    /// Accept exactly the given certificate(s) (PEM), compared byte for byte, and nothing
    /// else; the host name is not checked (a pinned self-signed certificate rarely names the
    /// address it is reached by). Handshake signatures are still verified.
    PinnedCertificate(String),
    /// **Dangerous**: accept any certificate. Anyone on the path can read the password and
    /// the configuration. Logs a warning every time a client is built. Only for a lab.
    InsecureAcceptAnyCertificate,
}

impl std::fmt::Debug for TlsMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TlsMode::PublicRoots => "PublicRoots",
            TlsMode::TrustCa(_) => "TrustCa(..)",
            TlsMode::PinnedCertificate(_) => "PinnedCertificate(..)",
            TlsMode::InsecureAcceptAnyCertificate => "InsecureAcceptAnyCertificate",
        })
    }
}

/// Wire names of user fields that are not in the R12.2 schema (docs/ipo-wire.md). Newer
/// IP Office releases may name them differently: change them here.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WireNames {
    /// "Enable MS Teams Client" flag (`true`/`false`).
    pub teams_client: String,
    /// E-mail address.
    pub email: String,
    /// Mobile twinning number.
    pub twinning_number: String,
}

impl Default for WireNames {
    fn default() -> Self {
        Self {
            teams_client: "EnableMSTeamsClient".into(),
            email: "Email".into(),
            twinning_number: "TwinningMobileNumber".into(),
        }
    }
}

/// Everything [`crate::IpoClient`] needs. Build with [`IpoConfig::new`] and adjust fields.
///
/// ```
/// use ipo_client::{IpoConfig, Secret, WireFormat};
/// let mut cfg = IpoConfig::new("https://10.0.0.5:7070", "sync", Secret::new("pw"));
/// cfg.format = WireFormat::Json;
/// cfg.batch_size = 20;
/// assert!(!format!("{cfg:?}").contains("pw\""));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct IpoConfig {
    /// `https://host:7070` (tests: `http://127.0.0.1:port`). Paths are appended to it.
    pub base_url: String,
    /// The service user.
    pub username: String,
    /// Its password.
    pub password: Secret,
    /// Body format of requests.
    pub format: WireFormat,
    /// Certificate checking.
    pub tls: TlsMode,
    /// Timeouts and retries of transient failures (503 honouring `Retry-After`, 502/504,
    /// connection errors). Its [`RetryPolicy::request_timeout`] bounds one request, retries
    /// included.
    pub retry: RetryPolicy,
    /// Records per create/update request (at least 1).
    pub batch_size: usize,
    /// Wire names of fields outside the schema.
    pub wire_names: WireNames,
    /// `ipaddress=` node selector (LAN1 address of a Server Edition / Select node), or `None`
    /// for the whole solution (reads) / the primary (writes). A record that carries its own
    /// `node` (LAN1 address or system name, resolved through `GET systems`) is written to
    /// that node instead; see docs/ipo-wire.md, "Nodes".
    pub node: Option<String>,
    /// Where the system directory entries for Teams-only users are kept (a CSV file in
    /// IP Office's directory import layout). `None`: directory changes fail with
    /// [`crate::IpoError::DirectoryNotConfigured`].
    pub directory_csv: Option<PathBuf>,
    /// The system's licensing mode, when IP Office's answer does not settle it (the guide
    /// documents no mapping of `PBXLicense/LicenseMode`, so today it never does). `None`:
    /// the snapshot says [`LicensingMode::Unknown`], with a warning naming this setting.
    /// A value that contradicts a settled answer is an error.
    pub licensing_mode: Option<LicensingMode>,
    /// The platform (IP500 V2, Server Edition, Select), for capacity limits; the
    /// Management API's `System` record does not name it. `None`: [`Platform::Unknown`].
    pub platform: Option<Platform>,
}

impl IpoConfig {
    /// Settings with defaults: XML, public roots, default retries, batches of 50.
    pub fn new(base_url: impl Into<String>, username: impl Into<String>, password: Secret) -> Self {
        Self {
            base_url: base_url.into(),
            username: username.into(),
            password,
            format: WireFormat::Xml,
            tls: TlsMode::PublicRoots,
            retry: RetryPolicy::default(),
            batch_size: 50,
            wire_names: WireNames::default(),
            node: None,
            directory_csv: None,
            licensing_mode: None,
            platform: None,
        }
    }
}
