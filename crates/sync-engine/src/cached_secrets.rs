//! Codes mapped from directory properties are secrets: the directory cache the state keeps
//! for incremental runs never holds the properties they come from.

use ipo_model::AzureAdUser;

use crate::config::SyncConfig;

/// Clears, in every cached user, each property a login or voicemail code is mapped from.
pub(crate) fn forget_code_sources<'u>(
    config: &SyncConfig,
    users: impl IntoIterator<Item = &'u mut AzureAdUser>,
) {
    let fields = &config.fields;
    let sources: Vec<&str> = [&fields.login_code, &fields.voicemail_code]
        .into_iter()
        .flatten()
        .map(|m| m.source.as_str())
        .collect();
    if sources.is_empty() {
        return;
    }
    for u in users {
        for src in &sources {
            forget_property(u, src);
        }
    }
}

/// Clears the property `name` ([`AzureAdUser::property`] names it): every property a
/// mapping may name but `id`, which no code can be (configuration validation refuses it).
fn forget_property(u: &mut AzureAdUser, name: &str) {
    match name {
        "userPrincipalName" => u.user_principal_name = None,
        "displayName" => u.display_name = None,
        "givenName" => u.given_name = None,
        "surname" => u.surname = None,
        "mail" => u.mail = None,
        "mailNickname" => u.mail_nickname = None,
        "businessPhones" => u.business_phones.clear(),
        "mobilePhone" => u.mobile_phone = None,
        "employeeId" => u.employee_id = None,
        "department" => u.department = None,
        "officeLocation" => u.office_location = None,
        "usageLocation" => u.usage_location = None,
        "teamsTelephoneNumber" => {
            if let Some(t) = &mut u.teams {
                t.telephone_numbers.clear();
            }
        }
        other => {
            if let Some(n) = other
                .strip_prefix("extensionAttribute")
                .and_then(|n| n.parse::<usize>().ok())
            {
                u.extension_attributes.set(n, None);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use ipo_model::{AssignmentCategory, TeamsPhoneNumber, TeamsVoice};

    use super::*;

    const CODE: &str = "7391548";

    /// A user with the code in every property there is.
    fn everywhere() -> AzureAdUser {
        let mut u = AzureAdUser::new("87d349ed-44d7-43e1-9a83-5f2406dee5bd".parse().unwrap());
        let code = || Some(CODE.to_owned());
        u.user_principal_name = code();
        u.display_name = code();
        u.given_name = code();
        u.surname = code();
        u.mail = code();
        u.mail_nickname = code();
        u.business_phones = vec![CODE.into()];
        u.mobile_phone = code();
        u.employee_id = code();
        u.department = code();
        u.office_location = code();
        u.usage_location = code();
        let mut t = TeamsVoice::default();
        t.telephone_numbers = vec![TeamsPhoneNumber::new(CODE, AssignmentCategory::Primary)];
        u.teams = Some(t);
        for n in 1..=15 {
            u.extension_attributes.set(n, code());
        }
        u
    }

    macro_rules! forgets {
        ($($test:ident: $property:literal,)*) => {$(
            #[test]
            fn $test() {
                assert!(AzureAdUser::is_known_property($property));
                let mut config = SyncConfig::new(Vec::new());
                config.fields.login_code = Some(crate::FieldMap::always($property));
                let mut u = everywhere();
                assert_eq!(u.property_str($property).as_deref(), Some(CODE));
                forget_code_sources(&config, [&mut u]);
                assert_eq!(u.property_str($property), None);
                // Only that property: the cache keeps everything else.
                assert_eq!(u.property_str("employeeId").is_some(), $property != "employeeId");
            }
        )*};
    }

    forgets! {
        forgets_user_principal_name: "userPrincipalName",
        forgets_display_name: "displayName",
        forgets_given_name: "givenName",
        forgets_surname: "surname",
        forgets_mail: "mail",
        forgets_mail_nickname: "mailNickname",
        forgets_business_phones: "businessPhones",
        forgets_mobile_phone: "mobilePhone",
        forgets_employee_id: "employeeId",
        forgets_department: "department",
        forgets_office_location: "officeLocation",
        forgets_usage_location: "usageLocation",
        forgets_teams_telephone_number: "teamsTelephoneNumber",
        forgets_extension_attribute_1: "extensionAttribute1",
        forgets_extension_attribute_15: "extensionAttribute15",
    }

    #[test]
    fn a_voicemail_code_source_is_forgotten_too() {
        let mut config = SyncConfig::new(Vec::new());
        config.fields.voicemail_code = Some(crate::FieldMap::always("givenName"));
        let mut u = everywhere();
        forget_code_sources(&config, [&mut u]);
        assert_eq!(u.given_name, None);
        assert!(u.surname.is_some());
    }
}
