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
pub use system::{
    NodeInfo, license_mode_wire, licensing_mode_of, nodes_from_records, platform_of,
    solution_from_records, system_from_record,
};
pub use user::{user_from_record, user_to_record};
