//! Reading each resource on its own, for programs that administer IP Office directly.

use ipo_model::{Extension, HuntGroup, IpoUser, License, SystemInfo};

use crate::client::IpoClient;
use crate::error::IpoError;
use crate::records;

impl IpoClient {
    /// `GET systems`: the solution (primary first, other nodes listed), with the licensing
    /// mode and platform the configuration states where the answer does not settle them.
    /// Remembers the licensing mode for reading and writing profiles.
    pub async fn system(&self) -> Result<SystemInfo, IpoError> {
        let recs = self.list("systems").await?;
        let s = records::solution_from_records(&recs).ok_or_else(|| IpoError::Malformed {
            what: "GET systems".into(),
            detail: "no System record".into(),
        })?;
        let s = self.settle_system(s, &recs)?;
        self.remember_mode(s.licensing_mode);
        Ok(s)
    }

    /// `GET licenses`.
    pub async fn list_licenses(&self) -> Result<Vec<License>, IpoError> {
        Ok(self
            .list("licenses")
            .await?
            .iter()
            .map(records::license_from_record)
            .collect())
    }

    /// `GET users`, profiles read in the system's licensing mode (read from `systems`
    /// first if not known yet).
    pub async fn list_users(&self) -> Result<Vec<IpoUser>, IpoError> {
        let recs = self.list("users").await?;
        let mode = self.licensing_mode().await?;
        let names = &self.inner.cfg.wire_names;
        recs.into_iter()
            .enumerate()
            .map(|(i, r)| records::user_from_record(r, i, mode, names))
            .collect()
    }

    /// `GET extensions`.
    pub async fn list_extensions(&self) -> Result<Vec<Extension>, IpoError> {
        self.list("extensions")
            .await?
            .into_iter()
            .enumerate()
            .map(|(i, r)| records::extension_from_record(r, i))
            .collect()
    }

    /// `GET huntgroups`.
    pub async fn list_hunt_groups(&self) -> Result<Vec<HuntGroup>, IpoError> {
        self.list("huntgroups")
            .await?
            .into_iter()
            .enumerate()
            .map(|(i, r)| records::hunt_group_from_record(r, i))
            .collect()
    }
}
