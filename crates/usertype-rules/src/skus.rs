//! Microsoft licence identifiers (SKUs and service plans), all in one place.
//!
//! Source: Microsoft's "Product names and service plan identifiers for licensing" reference,
//! as collected in [the domain notes](https://github.com/ipo-teams/ipo-teams/blob/main/docs/domain.md#microsoft-licences). Ids are lower-case GUID text, the form Graph
//! returns in `assignedLicenses[].skuId` and `assignedPlans[].servicePlanId`.
//!
//! Which of these count as "Teams voice" is decided by
//! [`DefaultLicensePolicy`](crate::DefaultLicensePolicy), whose lists an administrator can
//! change without code changes; these constants are only its defaults and well-known
//! names.

/// Service plan `MCOEV` ("Microsoft 365 Phone System"): the capability Direct Routing needs.
/// Carried by Business Voice, Teams Phone Standard and many bundles (E5 and others).
pub const MCOEV_PLAN: &str = "4828c8ec-dc2e-4779-b502-87ac9ce28ab7";

/// Service plan `MCOEV_VIRTUALUSER`: the phone system of resource accounts (auto
/// attendants, call queues), which are not people.
pub const MCOEV_VIRTUALUSER_PLAN: &str = "f47330e9-c134-43b3-9993-e7f004506889";

/// SKU `BUSINESS_VOICE_DIRECTROUTING`: Microsoft 365 Business Voice (without Calling Plan).
pub const BUSINESS_VOICE_DIRECT_ROUTING_SKU: &str = "d52db95a-5ecb-46b6-beb0-190ab5cda4a8";

/// SKU `BUSINESS_VOICE_DIRECTROUTING_MED`: the US variant of Business Voice (without
/// Calling Plan).
pub const BUSINESS_VOICE_DIRECT_ROUTING_US_SKU: &str = "8330dae3-d349-44f7-9cad-1b23c64baabe";

/// SKU `MCOEV`: Teams Phone Standard.
pub const TEAMS_PHONE_STANDARD_SKU: &str = "e43b5b99-8dfb-405f-9987-dc307f34bcbd";

/// SKU `PHONESYSTEM_VIRTUALUSER`: Teams Phone Resource Account.
pub const TEAMS_PHONE_RESOURCE_ACCOUNT_SKU: &str = "440eaaa8-b3e0-484b-a8be-62870b9ba70a";

/// SKU `SPE_E5`: Microsoft 365 E5. Not in the default SKU list: E5 carries [`MCOEV_PLAN`],
/// so the default service-plan check already finds its users. An administrator who checks
/// SKUs only (no service plans) adds it to
/// [`DefaultLicensePolicy::voice_skus`](crate::DefaultLicensePolicy::voice_skus).
pub const MICROSOFT_365_E5_SKU: &str = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";

/// The SKUs that count as Teams voice by default.
pub const DEFAULT_VOICE_SKUS: [&str; 3] = [
    BUSINESS_VOICE_DIRECT_ROUTING_SKU,
    BUSINESS_VOICE_DIRECT_ROUTING_US_SKU,
    TEAMS_PHONE_STANDARD_SKU,
];

/// The service plans that count as Teams voice by default.
pub const DEFAULT_VOICE_PLANS: [&str; 1] = [MCOEV_PLAN];

/// Teams `accountType` of a resource account (`/admin/teams/userConfigurations`).
pub const RESOURCE_ACCOUNT_TYPE: &str = "resourceAccount";
