//! The demo's system directory: the sync's Teams-only entries served over LDAP on 127.0.0.1
//! (`ipo-teams-ldap`, as `ipo-teams run --every` serves them), and the emulated IP Office
//! importing them as *System > Directory Services > LDAP* does, every resync interval.

use std::error::Error;
use std::path::Path;
use std::time::{Duration, Instant};

use ipo_emulator::{DirectoryImport, ImportedRecord, LdapImportConfig};
use ipo_teams_ldap::{
    BindUser, DirectoryConfig, DirectoryService, EntrySet, EntrySetHandle, RunningService, Secret,
};

const BASE_DN: &str = "ou=teams,dc=example,dc=com";
const BIND_USER: &str = "ipoffice";
// Demo-only, like the other credentials of the demo.
const BIND_PASSWORD: &str = "demo-ldap-password-not-real";
/// IP Office's *Resync Interval*, short for the demo (an hour is usual).
const RESYNC: Duration = Duration::from_millis(200);

/// The directory service and IP Office's import from it.
pub struct Directory {
    service: RunningService,
    set: EntrySetHandle,
    import: DirectoryImport,
}

impl Directory {
    /// Starts the service (serving nothing until the first sync) and the import.
    pub async fn start() -> Result<Self, Box<dyn Error>> {
        let config = DirectoryConfig::new("127.0.0.1:0".parse()?, BASE_DN)
            .with_bind_user(BindUser::new(BIND_USER, Secret::new(BIND_PASSWORD)));
        let set = EntrySetHandle::new();
        let service = DirectoryService::bind(config, set.clone()).await?.spawn();
        let import = DirectoryImport::start(
            LdapImportConfig::new(
                format!("ldap://{}", service.local_addr()),
                BIND_USER,
                BIND_PASSWORD,
                BASE_DN,
            )
            .resync_every(RESYNC),
        );
        Ok(Self {
            service,
            set,
            import,
        })
    }

    /// Where IP Office finds the service.
    pub fn url(&self) -> String {
        format!("ldap://{}", self.service.local_addr())
    }

    /// Serves the entries the sync keeps in `csv` (what the program does after an apply),
    /// then waits for IP Office's next resync and returns what it imported.
    pub async fn publish(&self, csv: &Path) -> Result<Vec<ImportedRecord>, Box<dyn Error>> {
        let entries = ipo_client::system_directory::read_directory(csv)?;
        let before = self.import.resyncs();
        self.set.replace(EntrySet::from_entries(&entries)?);
        // Two resyncs later, one of them began after the new set was in place.
        let start = Instant::now();
        while self.import.resyncs() < before + 2 {
            if start.elapsed() > Duration::from_secs(10) {
                return Err(format!(
                    "IP Office did not import the directory within 10 s: {}",
                    self.import.last_error().unwrap_or_default()
                )
                .into());
            }
            tokio::time::sleep(RESYNC / 4).await;
        }
        Ok(self.import.records())
    }

    /// Stops the import and the service.
    pub async fn stop(self) {
        self.import.stop();
        self.service.shutdown().await;
    }
}
