//! Who may see and change what. One permission model for every role; the web layer asks
//! these functions and the store turns a [`LocationScope`] into a filter, so a page and an
//! endpoint can never disagree.
//!
//! Architecture invariant: the ministry and the public see aggregates only — never a single
//! location. Regional coordinators and inspectors read the locations of their region
//! (addresses are not personal data); only municipalities, providers and administrators write.

use crate::ids::MunicipalityCode;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Administrator,
    /// National aggregates only.
    Ministry,
    /// Reads the locations of their region.
    RegionalCoordinator,
    /// Reads and writes everything in its territory.
    Municipality,
    /// Reads and writes its own locations.
    HousingProvider,
    /// Reads within a region.
    Inspector,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Administrator,
        Role::Ministry,
        Role::RegionalCoordinator,
        Role::Municipality,
        Role::HousingProvider,
        Role::Inspector,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Ministry => "ministry",
            Role::RegionalCoordinator => "regional_coordinator",
            Role::Municipality => "municipality",
            Role::HousingProvider => "housing_provider",
            Role::Inspector => "inspector",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A signed-in account with its scope resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    pub account_id: i64,
    pub username: String,
    pub role: Role,
    /// Regional coordinator and inspector: their region.
    pub region_id: Option<i64>,
    /// Municipality: its territory.
    pub municipality: Option<MunicipalityCode>,
    /// Housing provider: the organisation whose locations it manages.
    pub organisation_id: Option<i64>,
    /// The municipalities of `region_id`, resolved when the principal is loaded.
    pub region_members: Vec<MunicipalityCode>,
}

/// Who is asking: the public, or an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    Public,
    Account(Principal),
}

/// Which locations a viewer may read, as the store filters them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocationScope {
    All,
    Municipalities(Vec<MunicipalityCode>),
    Operator(i64),
    /// Aggregates only: no single location.
    Nothing,
}

impl LocationScope {
    /// May this scope see locations in the municipality with this code? (An operator scope
    /// depends on the location, not the municipality: no.)
    pub fn covers_municipality(&self, code: &str) -> bool {
        match self {
            LocationScope::All => true,
            LocationScope::Municipalities(ms) => ms.iter().any(|m| m.as_str() == code),
            LocationScope::Operator(_) | LocationScope::Nothing => false,
        }
    }

    pub fn allows(&self, municipality: &MunicipalityCode, operator_id: Option<i64>) -> bool {
        match self {
            LocationScope::All => true,
            LocationScope::Municipalities(ms) => ms.contains(municipality),
            LocationScope::Operator(id) => operator_id == Some(*id),
            LocationScope::Nothing => false,
        }
    }
}

/// What a viewer sees of the registration flags (stays housed more than 4 months within 6
/// without BRP registration): addresses only in its own territory, counts per municipality
/// for the national and regional roles, nothing for the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlagView {
    /// Per location, in these municipalities (all for administrators).
    Locations(LocationScope),
    /// Counts per municipality only: of these municipalities, or of all when `None`.
    Municipalities(Option<Vec<MunicipalityCode>>),
    Nothing,
}

/// Which enforcement cases and complaints a viewer reads one by one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseScope {
    /// A municipality: every case and complaint of its own.
    Municipalities(Vec<MunicipalityCode>),
    /// An inspector: the cases assigned to this account, no complaints.
    Assigned(i64),
    Nothing,
}

impl Viewer {
    /// Complaints and cases hold what residents told in confidence: the municipality reads
    /// its own, an inspector the cases assigned to them; everyone else sees the bed-for-bed
    /// counts only (`ledger_view`).
    pub fn case_scope(&self) -> CaseScope {
        let Some(p) = self.principal() else { return CaseScope::Nothing };
        match p.role {
            Role::Municipality => CaseScope::Municipalities(p.municipality.iter().cloned().collect()),
            Role::Inspector => CaseScope::Assigned(p.account_id),
            _ => CaseScope::Nothing,
        }
    }

    /// Opens cases, decides, accounts for beds, closes: the case's own municipality.
    pub fn can_decide_case(&self, municipality: &str) -> bool {
        self.can_act_on_signals(municipality)
    }

    /// Records a step: the municipality any, the assigned inspector those before the
    /// decision and the follow-up (deciding and closing are the municipality's).
    pub fn can_record_step(&self, municipality: &str, assignee_id: Option<i64>, step: &str) -> bool {
        match self.principal() {
            Some(p) if p.role == Role::Inspector => {
                assignee_id == Some(p.account_id) && !matches!(step, "decision" | "closed")
            }
            _ => self.can_decide_case(municipality),
        }
    }

    /// The bed-for-bed counts this viewer sees: a municipality its own, a region's roles the
    /// region's municipalities, the ministry and administrators all; `None` when nothing.
    pub fn ledger_view(&self) -> Option<Option<Vec<MunicipalityCode>>> {
        let p = self.principal()?;
        match p.role {
            Role::Administrator | Role::Ministry => Some(None),
            Role::RegionalCoordinator | Role::Inspector => Some(Some(p.region_members.clone())),
            Role::Municipality => Some(Some(p.municipality.iter().cloned().collect())),
            Role::HousingProvider => None,
        }
    }

    pub fn principal(&self) -> Option<&Principal> {
        match self {
            Viewer::Public => None,
            Viewer::Account(p) => Some(p),
        }
    }

    pub fn role(&self) -> Option<Role> {
        self.principal().map(|p| p.role)
    }

    pub fn is_admin(&self) -> bool {
        self.role() == Some(Role::Administrator)
    }

    /// The locations this viewer may read one by one.
    pub fn location_read_scope(&self) -> LocationScope {
        let Some(p) = self.principal() else {
            return LocationScope::Nothing;
        };
        match p.role {
            Role::Administrator => LocationScope::All,
            Role::Ministry => LocationScope::Nothing,
            Role::RegionalCoordinator | Role::Inspector => LocationScope::Municipalities(p.region_members.clone()),
            Role::Municipality => LocationScope::Municipalities(p.municipality.iter().cloned().collect()),
            Role::HousingProvider => p.organisation_id.map_or(LocationScope::Nothing, LocationScope::Operator),
        }
    }

    /// The locations this viewer may create, change and delete.
    pub fn location_write_scope(&self) -> LocationScope {
        match self.role() {
            Some(Role::Administrator | Role::Municipality | Role::HousingProvider) => self.location_read_scope(),
            _ => LocationScope::Nothing,
        }
    }

    pub fn can_write_locations(&self) -> bool {
        self.location_write_scope() != LocationScope::Nothing
    }

    /// The operator a new location gets whatever the input says: a provider only ever
    /// registers its own locations.
    pub fn forced_operator(&self) -> Option<i64> {
        match self.principal() {
            Some(p) if p.role == Role::HousingProvider => p.organisation_id,
            _ => None,
        }
    }

    /// What this viewer sees of the registration flags.
    pub fn registration_flag_view(&self) -> FlagView {
        let Some(p) = self.principal() else { return FlagView::Nothing };
        match p.role {
            Role::Administrator => FlagView::Locations(LocationScope::All),
            Role::Municipality => FlagView::Locations(self.location_read_scope()),
            Role::Ministry => FlagView::Municipalities(None),
            Role::RegionalCoordinator => FlagView::Municipalities(Some(p.region_members.clone())),
            Role::HousingProvider | Role::Inspector => FlagView::Nothing,
        }
    }

    /// What this viewer sees of the overcrowding signals: a municipality its own, address by
    /// address, since they come from its own BRP extract; administrators, the ministry and
    /// regions counts per municipality and rule only; the others nothing.
    pub fn signal_view(&self) -> FlagView {
        let Some(p) = self.principal() else { return FlagView::Nothing };
        match p.role {
            Role::Municipality => FlagView::Locations(self.location_read_scope()),
            Role::Administrator | Role::Ministry => FlagView::Municipalities(None),
            Role::RegionalCoordinator => FlagView::Municipalities(Some(p.region_members.clone())),
            Role::HousingProvider | Role::Inspector => FlagView::Nothing,
        }
    }

    /// Uploads the BRP extract of `municipality`, sees its summary, tunes its thresholds and
    /// marks its signals: only that municipality itself.
    pub fn can_act_on_signals(&self, municipality: &str) -> bool {
        self.principal().is_some_and(|p| {
            p.role == Role::Municipality && p.municipality.as_ref().is_some_and(|m| m.as_str() == municipality)
        })
    }

    /// Regions and organisations are reference data an administrator maintains.
    pub fn can_manage_reference_data(&self) -> bool {
        self.is_admin()
    }

    /// Pseudonymous worker data (who sleeps in which bed) within the location read scope:
    /// the provider, the municipality and its inspectors, administrators. Regions, the
    /// ministry and the public see counts only.
    pub fn can_read_workers(&self) -> bool {
        matches!(self.role(), Some(Role::Administrator | Role::Municipality | Role::HousingProvider | Role::Inspector))
    }

    /// Who may record stays: the same roles that maintain locations, on the same locations.
    pub fn occupancy_write_scope(&self) -> LocationScope {
        self.location_write_scope()
    }

    /// The parties and projects of the monitor this viewer sees one by one: the locations
    /// it may read (a housing provider: the projects its organisation is responsible for).
    /// The ministry and the public see the aggregate monitor only.
    pub fn monitor_detail_scope(&self) -> LocationScope {
        self.location_read_scope()
    }

    /// A project in `municipality` whose party is the register organisation
    /// `party_organisation`, read one by one.
    pub fn can_read_project(&self, municipality: &str, party_organisation: Option<i64>) -> bool {
        match self.monitor_detail_scope() {
            LocationScope::Operator(org) => party_organisation == Some(org),
            scope => scope.covers_municipality(municipality),
        }
    }

    /// Regional agreements and parties: administrators, and a regional coordinator for their
    /// own region.
    pub fn can_write_agreement(&self, region_id: i64) -> bool {
        match self.principal() {
            Some(p) if p.role == Role::Administrator => true,
            Some(p) => p.role == Role::RegionalCoordinator && p.region_id == Some(region_id),
            None => false,
        }
    }

    pub fn can_create_parties(&self) -> bool {
        matches!(self.role(), Some(Role::Administrator | Role::RegionalCoordinator))
    }

    /// A project in `municipality` for a party that is the register organisation
    /// `party_organisation`: administrators; the municipality; the region's coordinator;
    /// the housing provider that is the party. Inspectors only read.
    pub fn can_write_project(&self, municipality: &str, party_organisation: Option<i64>) -> bool {
        let Some(p) = self.principal() else { return false };
        match p.role {
            Role::Administrator => true,
            Role::Municipality | Role::RegionalCoordinator => {
                self.location_read_scope().covers_municipality(municipality)
            }
            Role::HousingProvider => p.organisation_id.is_some() && p.organisation_id == party_organisation,
            Role::Ministry | Role::Inspector => false,
        }
    }

    /// Whose event ids a push comes with: a provider's accounts share their organisation's.
    pub fn event_sender(&self) -> Option<String> {
        let p = self.principal()?;
        Some(match (p.role, p.organisation_id) {
            (Role::HousingProvider, Some(org)) => format!("org:{org}"),
            _ => format!("account:{}", p.account_id),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role) -> Principal {
        Principal {
            account_id: 1,
            username: "x".into(),
            role,
            region_id: Some(7),
            municipality: Some(MunicipalityCode::parse("GM1783").unwrap()),
            organisation_id: Some(42),
            region_members: vec![
                MunicipalityCode::parse("GM0518").unwrap(),
                MunicipalityCode::parse("GM1783").unwrap(),
            ],
        }
    }

    #[test]
    fn scopes_per_role() {
        let westland = MunicipalityCode::parse("GM1783").unwrap();
        let den_haag = MunicipalityCode::parse("GM0518").unwrap();
        let venlo = MunicipalityCode::parse("GM0983").unwrap();
        // (role, reads Westland of operator 1, reads Den Haag, reads Venlo of operator 42, may write)
        let table = [
            (Role::Administrator, true, true, true, true),
            (Role::Ministry, false, false, false, false),
            (Role::RegionalCoordinator, true, true, false, false),
            (Role::Inspector, true, true, false, false),
            (Role::Municipality, true, false, false, true),
            (Role::HousingProvider, false, false, true, true),
        ];
        for (role, westland_1, den_haag_1, venlo_42, writes) in table {
            let v = Viewer::Account(principal(role));
            let s = v.location_read_scope();
            assert_eq!(s.allows(&westland, Some(1)), westland_1, "{role:?}");
            assert_eq!(s.allows(&den_haag, Some(1)), den_haag_1, "{role:?}");
            assert_eq!(s.allows(&venlo, Some(42)), venlo_42, "{role:?}");
            assert_eq!(v.can_write_locations(), writes, "{role:?}");
        }
        assert_eq!(Viewer::Public.location_read_scope(), LocationScope::Nothing);
        assert_eq!(Viewer::Account(principal(Role::HousingProvider)).forced_operator(), Some(42));
        let flags = |role| Viewer::Account(principal(role)).registration_flag_view();
        assert_eq!(flags(Role::Administrator), FlagView::Locations(LocationScope::All));
        assert_eq!(
            flags(Role::Municipality),
            FlagView::Locations(LocationScope::Municipalities(vec![westland.clone()]))
        );
        assert_eq!(flags(Role::Ministry), FlagView::Municipalities(None));
        assert_eq!(
            flags(Role::RegionalCoordinator),
            FlagView::Municipalities(Some(vec![den_haag.clone(), westland.clone()]))
        );
        assert_eq!(flags(Role::HousingProvider), FlagView::Nothing);
        assert_eq!(flags(Role::Inspector), FlagView::Nothing);
        assert_eq!(Viewer::Public.registration_flag_view(), FlagView::Nothing);
    }

    #[test]
    fn agreements_and_projects_per_role() {
        // (role, writes region 7's agreement, writes region 8's, writes a Westland project of
        // organisation 1, writes a Den Haag project of organisation 42)
        let table = [
            (Role::Administrator, true, true, true, true),
            (Role::Ministry, false, false, false, false),
            (Role::RegionalCoordinator, true, false, true, true),
            (Role::Inspector, false, false, false, false),
            (Role::Municipality, false, false, true, false),
            (Role::HousingProvider, false, false, false, true),
        ];
        for (role, region_7, region_8, westland_1, den_haag_42) in table {
            let v = Viewer::Account(principal(role));
            assert_eq!(v.can_write_agreement(7), region_7, "{role:?}");
            assert_eq!(v.can_write_agreement(8), region_8, "{role:?}");
            assert_eq!(v.can_write_project("GM1783", Some(1)), westland_1, "{role:?}");
            assert_eq!(v.can_write_project("GM0518", Some(42)), den_haag_42, "{role:?}");
        }
        assert!(!Viewer::Public.can_write_agreement(7));
        assert!(!Viewer::Public.can_write_project("GM1783", None));
        assert_eq!(Viewer::Public.monitor_detail_scope(), LocationScope::Nothing);
        let provider = Viewer::Account(principal(Role::HousingProvider));
        assert!(provider.can_read_project("GM0518", Some(42)) && !provider.can_read_project("GM1783", Some(1)));
        let ministry = Viewer::Account(principal(Role::Ministry));
        assert!(!ministry.can_read_project("GM1783", Some(1)));
    }

    #[test]
    fn cases_per_role() {
        let westland = MunicipalityCode::parse("GM1783").unwrap();
        let view = |role| Viewer::Account(principal(role));
        assert_eq!(view(Role::Municipality).case_scope(), CaseScope::Municipalities(vec![westland.clone()]));
        assert_eq!(view(Role::Inspector).case_scope(), CaseScope::Assigned(1));
        for role in [Role::Administrator, Role::Ministry, Role::RegionalCoordinator, Role::HousingProvider] {
            assert_eq!(view(role).case_scope(), CaseScope::Nothing, "{role:?}");
        }
        assert_eq!(Viewer::Public.case_scope(), CaseScope::Nothing);
        assert!(view(Role::Municipality).can_record_step("GM1783", None, "decision"));
        assert!(!view(Role::Municipality).can_record_step("GM0518", None, "intake"));
        assert!(view(Role::Inspector).can_record_step("GM1783", Some(1), "visit"));
        assert!(!view(Role::Inspector).can_record_step("GM1783", Some(1), "decision"));
        assert!(!view(Role::Inspector).can_record_step("GM1783", Some(2), "visit"));
        assert_eq!(view(Role::Ministry).ledger_view(), Some(None));
        assert_eq!(view(Role::Municipality).ledger_view(), Some(Some(vec![westland])));
        assert_eq!(view(Role::HousingProvider).ledger_view(), None);
        assert_eq!(Viewer::Public.ledger_view(), None);
    }
}
