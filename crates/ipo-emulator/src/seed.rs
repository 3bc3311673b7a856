//! Starting records: fixture files (JSON, or TOML through serde) and `ipo_model` values.

use ipo_model::{Extension, HuntGroup, IpoUser, License, RawFields};
use serde::{Deserialize, Deserializer};

use crate::error::EmulatorError;
use crate::json::Jv;
use crate::wire::split_json_object;

/// One record of a fixture, in the wire's JSON shape: `@GUID` (optional, else generated),
/// `@node` (the node address, optional) and the fields in order.
///
/// ```
/// use ipo_emulator::Seed;
/// let seed = Seed::from_json_str(r#"{"users":[{"@GUID":"AB12","Name":"Ann","Extension":"201",
///     "DSSKeys":{"DSSKey":[{"@Key":"1","KeyType":"0"}]}}]}"#)?;
/// assert_eq!(seed.users[0].guid.as_deref(), Some("AB12"));
/// assert_eq!(seed.users[0].fields.text("Extension").unwrap(), "201");
/// # Ok::<(), ipo_emulator::EmulatorError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SeedRecord {
    /// GUID to keep; generated when `None`.
    pub guid: Option<String>,
    /// Node address; `None` is the primary.
    pub node: Option<String>,
    /// The fields, in order.
    pub fields: RawFields,
}

impl SeedRecord {
    /// A record with these fields.
    pub fn new(fields: RawFields) -> Self {
        Self {
            guid: None,
            node: None,
            fields,
        }
    }
}

impl<'de> Deserialize<'de> for SeedRecord {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Jv::Obj(members) = Jv::deserialize(d)? else {
            return Err(serde::de::Error::custom("a seed record must be an object"));
        };
        let (attrs, fields) = split_json_object(members);
        let attr = |n: &str| attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        Ok(Self {
            guid: attr("GUID"),
            node: attr("node"),
            fields: fields.fields,
        })
    }
}

/// Records an emulator starts with. Licences are loaded first, then extensions, users and
/// hunt groups, each through the same validation as a POST (so a seed cannot hold what IP
/// Office would refuse). `NoUser` is always added.
///
/// ```
/// use ipo_emulator::Seed;
/// use ipo_model::{IpoUser, License, LicensingMode, Profile};
/// let mut ann = IpoUser::new("Ann".parse()?, LicensingMode::Plds);
/// ann.extension = Some("201".parse()?);
/// ann.profile = Profile::PowerUser;
/// let seed = Seed::new().license(License::new("Power User", 5, 5)).user(ann);
/// # let _ = seed;
/// # Ok::<(), ipo_model::InvalidValue>(())
/// ```
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Seed {
    /// `User` records.
    #[serde(default)]
    pub users: Vec<SeedRecord>,
    /// `Extension` records.
    #[serde(default)]
    pub extensions: Vec<SeedRecord>,
    /// `HuntGroup` records.
    #[serde(default, alias = "hunt_groups")]
    pub huntgroups: Vec<SeedRecord>,
    /// `License` records (`FreeInstances` is computed, whatever the seed says).
    #[serde(default)]
    pub licenses: Vec<SeedRecord>,
    #[serde(skip)]
    pub(crate) typed: Typed,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Typed {
    pub(crate) users: Vec<IpoUser>,
    pub(crate) extensions: Vec<Extension>,
    pub(crate) hunt_groups: Vec<HuntGroup>,
    pub(crate) licenses: Vec<License>,
}

impl Seed {
    /// No records.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a fixture in JSON: `{"users":[...],"extensions":[...],"huntgroups":[...],"licenses":[...]}`.
    pub fn from_json_str(json: &str) -> Result<Self, EmulatorError> {
        serde_json::from_str(json).map_err(|e| EmulatorError::Seed {
            what: "JSON fixture".into(),
            reason: e.to_string(),
        })
    }

    /// Adds a user (its profile written in the emulator's licensing mode).
    pub fn user(mut self, u: IpoUser) -> Self {
        self.typed.users.push(u);
        self
    }
    /// Adds an extension record.
    pub fn extension(mut self, e: Extension) -> Self {
        self.typed.extensions.push(e);
        self
    }
    /// Adds a hunt group.
    pub fn hunt_group(mut self, h: HuntGroup) -> Self {
        self.typed.hunt_groups.push(h);
        self
    }
    /// Adds a licence (`quantity` counts; `free` is recomputed).
    pub fn license(mut self, l: License) -> Self {
        self.typed.licenses.push(l);
        self
    }
}
