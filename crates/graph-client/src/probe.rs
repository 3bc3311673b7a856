//! One cheap request per application permission the sync needs (`$top=1`, one property), so
//! a connection test can name each missing permission before a sync runs into it.

use crate::client::GraphClient;
use crate::error::GraphError;

/// A Graph resource the sync reads, probed for the application permission it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Probe {
    /// `GET /users`: `User.Read.All`.
    Users,
    /// `GET /admin/teams/userConfigurations`: `TeamsUserConfiguration.Read.All`.
    TeamsUserConfigurations,
    /// `GET /contacts` (organisational contacts): `OrgContact.Read.All`.
    Contacts,
}

impl Probe {
    /// The application permission the resource needs.
    pub fn permission(self) -> &'static str {
        match self {
            Probe::Users => "User.Read.All",
            Probe::TeamsUserConfigurations => "TeamsUserConfiguration.Read.All",
            Probe::Contacts => "OrgContact.Read.All",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Probe::Users => "/users",
            Probe::TeamsUserConfigurations => "/admin/teams/userConfigurations",
            Probe::Contacts => "/contacts",
        }
    }
}

impl GraphClient {
    /// Reads at most one object of `probe`'s resource: `Ok` when the app may read it, else
    /// the error ([`GraphError::PermissionDenied`] names the permission).
    pub async fn probe(&self, probe: Probe) -> Result<(), GraphError> {
        let url = self.url(probe.path(), &[("$top", "1"), ("$select", "id")])?;
        let resp = self.get(url, false).await?;
        if resp.is_success() {
            Ok(())
        } else {
            Err(resp.error(probe.path()))
        }
    }
}
