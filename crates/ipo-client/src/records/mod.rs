//! Mapping between wire records and the model's types.

mod extension;
mod fields;
mod huntgroup;
mod license;
mod system;
mod user;

pub use extension::{extension_from_record, extension_to_record};
pub use huntgroup::{hunt_group_from_record, hunt_group_to_record};
pub use license::license_from_record;
pub use system::{NodeInfo, license_mode_wire, nodes_from_records, solution_from_records};
pub use user::{user_from_record, user_to_record};
