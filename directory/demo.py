"""Demo directory: the demo providers with profiles, plus community resources and a few
look-alikes (an unpaneled pulmonologist, one not accepting patients) so search has choices."""
from carecoord.accounts.models import County, Organization

from .geo import zip_point
from .models import Practitioner, Service
from .services import profile_save, vocabulary_load

# key in ctx.orgs (or a new name), type, services, paneling, languages, plans, counties, zip, accepting, community
ENTRIES = [
    ("pulm", None, ["pulmonology"], "paneled", ["en", "es"], ["plan_valley", "plan_golden"], ["Sacramento"], "95816", True, False),
    ("scc", None, ["special_care_center", "pulmonology", "cardiology"], "paneled", ["en", "es"], ["plan_valley", "plan_golden"], ["Fresno", "Sacramento"], "93701", True, False),
    ("hospital", None, ["hospital_inpatient"], "paneled", ["en", "es", "vi"], ["plan_valley", "plan_golden"], ["Sacramento"], "95817", True, False),
    ("pharmacy", None, ["compounding_pharmacy", "pharmacy"], "paneled", ["en"], ["plan_valley"], ["Sacramento"], "95818", True, False),
    ("dme", None, ["dme"], "paneled", ["en", "es"], ["plan_valley", "plan_golden"], ["Sacramento", "Fresno"], "95824", True, False),
    ("pcp", None, ["primary_care"], "paneled", ["en", "es"], ["plan_valley", "plan_golden"], ["Sacramento"], "95817", True, False),
    ("residential", None, ["sud_residential"], "not_paneled", ["en", "es"], ["plan_valley", "plan_golden"], ["Sacramento"], "95838", True, False),
    ("outpatient", None, ["sud_outpatient"], "not_paneled", ["en"], ["plan_valley", "plan_golden"], ["Sacramento"], "95823", True, False),
    ("ntp", None, ["mat_ntp"], "not_paneled", ["en", "es"], ["plan_valley", "plan_golden"], ["Sacramento"], "95815", True, False),
    ("ecm_bridges", None, ["ecm_provider"], "not_paneled", ["en", "es"], ["plan_valley", "plan_golden"], ["Sacramento"], "95814", True, False),
    ("Northside Lung Clinic", Organization.Type.OTHER_PROVIDER, ["pulmonology"], "application", ["en", "es"], ["plan_valley"], ["Sacramento"], "95841", True, False),
    ("Foothill Pediatric Pulmonary", Organization.Type.CCS_PHYSICIAN, ["pulmonology"], "paneled", ["en"], ["plan_golden"], ["Sacramento"], "95630", False, False),
    ("Fresno Children's Lung Center", Organization.Type.CCS_PHYSICIAN, ["pulmonology"], "paneled", ["en", "es"], ["plan_valley"], ["Fresno"], "93720", True, False),
    ("Delta Peer and Family Support", Organization.Type.COMMUNITY, ["peer_family_support"], "not_paneled", ["en", "es"], [], ["Sacramento"], "95820", True, True),
    ("River City Rides", Organization.Type.COMMUNITY, ["transportation"], "not_paneled", ["en", "es", "vi"], [], ["Sacramento"], "95814", True, True),
    ("Capitol Housing Navigators", Organization.Type.COMMUNITY, ["housing_navigation", "community_supports"], "not_paneled", ["en"], [], ["Sacramento"], "95811", True, True),
]


def load(ctx) -> None:
    vocabulary_load()
    services = {s.code: s for s in Service.objects.all()}
    counties = {c.name: c for c in County.objects.all()}
    for key, org_type, codes, paneling, languages, plan_keys, county_names, zip_code, accepting, community in ENTRIES:
        organization = ctx.orgs.get(key)
        name = organization.name if organization else key
        org_type = organization.type if organization else org_type
        point = zip_point(zip_code)
        profile, _created = profile_save(
            name=name, type=org_type,
            profile_fields={
                "ccs_paneling": paneling, "languages": languages, "accepting_new_patients": accepting,
                "is_community_resource": community, "zip_code": zip_code, "city": "Fresno" if zip_code.startswith("93") else "Sacramento",
                "latitude": point[0] if point else None, "longitude": point[1] if point else None,
                "special_care_center": key == "scc", "scc_designation": "Pulmonary and cardiac SCC" if key == "scc" else "",
                "phone": organization.phone if organization else "916-555-0170",
                "eligibility_notes": "Families of children with special health care needs." if community else "",
            },
            services=[services[c] for c in codes], plans=[ctx.orgs[p] for p in plan_keys], counties=[counties[n] for n in county_names],
        )
        if key == "pulm":
            Practitioner.objects.get_or_create(profile=profile, name="Dr. Elena Vargas",
                                               defaults={"title": "MD, pediatric pulmonologist", "languages": ["en", "es"], "ccs_paneled": True})
