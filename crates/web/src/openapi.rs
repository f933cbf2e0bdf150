//! The OpenAPI 3 description of `/api/v1`. A test requests every operation listed here
//! against a running server, so the document cannot drift from the routes.

use serde_json::{Value, json};

fn list_of(item: &str) -> Value {
    json!({"type": "object", "required": ["items", "total"], "properties": {
        "items": {"type": "array", "items": {"$ref": format!("#/components/schemas/{item}")}},
        "total": {"type": "integer"}}})
}

fn ok(schema: Value) -> Value {
    json!({"description": "OK", "content": {"application/json": {"schema": schema}}})
}

fn error(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn paging() -> Vec<Value> {
    vec![
        json!({"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}}),
        json!({"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": crate::api::MAX_PER_PAGE, "default": crate::api::DEFAULT_PER_PAGE}}),
    ]
}

fn query(name: &str, schema: Value, description: &str) -> Value {
    json!({"name": name, "in": "query", "schema": schema, "description": description})
}

fn codes(values: &[&str]) -> Value {
    json!({"type": "string", "enum": values})
}

/// The facts of a location that the housing norms look at: the same in input and output.
fn norm_facts() -> Value {
    let flag = |description: &str| json!({"type": "boolean", "default": false, "description": description});
    json!({
        "new_build": flag("built or converted as new-build housing"),
        "in_use_since": {"type": "string", "format": "date", "nullable": true, "example": "2021-07-01",
            "description": "the date the location was first taken into use as housing (YYYY-MM-DD, not before 1900-01-01); null if unknown"},
        "conversion_permit": flag("the location holds a conversion permit (omzettingsvergunning)"),
        "bedroom_sharing_agreed": flag("the residents agreed in writing to share a bedroom by two"),
        "first_responsible": flag("the operator is the first responsible party (eerstverantwoordelijke) for this location under its certificate"),
    })
}

/// Adds the norm facts to the properties at `pointer`.
fn with_norm_facts(doc: &mut Value, pointer: &str) {
    if let (Some(Value::Object(properties)), Value::Object(facts)) = (doc.pointer_mut(pointer), norm_facts()) {
        properties.extend(facts);
    }
}

pub fn document() -> Value {
    use flexwonen_core::register::{HousingForm, LegalStatus, OrganisationKind, StayType};
    let form: Vec<&str> = HousingForm::ALL.iter().map(|v| v.as_str()).collect();
    let status: Vec<&str> = LegalStatus::ALL.iter().map(|v| v.as_str()).collect();
    let stay: Vec<&str> = StayType::ALL.iter().map(|v| v.as_str()).collect();
    let kinds: Vec<&str> = OrganisationKind::ALL.iter().map(|v| v.as_str()).collect();
    let sorts: Vec<&str> = flexwonen_store::LocationSort::ALL.iter().map(|v| v.as_str()).collect();
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}});
    let mut location_params = paging();
    location_params.extend([
        query("q", json!({"type": "string"}), "street, place or postcode"),
        query("municipality_code", json!({"type": "string", "pattern": "^GM[0-9]{4}$"}), "CBS municipality code"),
        query("region_id", json!({"type": "integer"}), "only municipalities of this region"),
        query("housing_form", codes(&form), "SNF housing form"),
        query("legal_status", codes(&status), ""),
        query("stay_type", codes(&stay), ""),
        query("operator_id", json!({"type": "integer"}), "organisation id of the operator"),
        query("sort", codes(&sorts), "order of the list"),
    ]);
    let mut region_params = paging();
    region_params.push(query("kind", codes(&["province", "corop", "labour_market", "campaign_2012", "custom"]), ""));
    let mut org_params = paging();
    org_params.extend([query("kind", codes(&kinds), ""), query("q", json!({"type": "string"}), "name or KvK number")]);
    let bearer = json!([{"bearer": []}]);
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "flexwonen register API",
            "version": "1",
            "description": "Locations, rooms and beds for the housing of labour migrants. Errors always have the shape {\"error\": {\"code\", \"message\", \"fields\"}}. Changes need a bearer token (flexwonen token create --account NAME) and, for updates, the version read (If-Match)."
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/stats": {"get": {"summary": "National totals of locations and beds (public)", "responses": {"200": ok(json!({"type": "object"}))}}},
            "/municipalities": {"get": {"summary": "The 342 municipalities", "parameters": paging(),
                "responses": {"200": ok(list_of("Municipality")), "400": error("bad paging")}}},
            "/regions": {"get": {"summary": "Regions (provinces, COROP, labour-market, 2012 campaign, custom)", "parameters": region_params,
                "responses": {"200": ok(list_of("Region")), "400": error("bad parameter")}}},
            "/organisations": {"get": {"summary": "Organisations", "parameters": org_params,
                "responses": {"200": ok(list_of("Organisation")), "400": error("bad parameter")}}},
            "/locations": {
                "get": {"summary": "Locations in your scope", "security": bearer, "parameters": location_params,
                    "responses": {"200": ok(list_of("LocationSummary")), "400": error("bad parameter"), "401": error("not signed in"), "403": error("aggregates only")}},
                "post": {"summary": "Register a location with its rooms and beds", "security": bearer,
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LocationInput"}}}},
                    "responses": {"201": ok(json!({"$ref": "#/components/schemas/Location"})), "400": error("malformed JSON"), "401": error("no token"),
                        "403": error("not allowed"), "413": error("body too large"), "415": error("not JSON"), "422": error("invalid values")}}
            },
            "/locations/{id}": {
                "get": {"summary": "One location with rooms and beds", "security": bearer, "parameters": [id],
                    "responses": {"200": ok(json!({"$ref": "#/components/schemas/Location"})), "404": error("unknown or out of scope")}},
                "put": {"summary": "Replace a location (rooms and beds with an id are kept)", "security": bearer,
                    "parameters": [id, {"name": "If-Match", "in": "header", "schema": {"type": "string"}, "description": "the ETag (version) you read"}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LocationInput"}}}},
                    "responses": {"200": ok(json!({"$ref": "#/components/schemas/Location"})), "404": error("unknown or out of scope"),
                        "409": error("stale version"), "422": error("invalid values"), "428": error("no version given")}},
                "delete": {"summary": "Remove a location", "security": bearer,
                    "parameters": [id, {"name": "If-Match", "in": "header", "schema": {"type": "string"}, "description": "the ETag (version) you read"}],
                    "responses": {"204": {"description": "deleted"}, "404": error("unknown or out of scope"), "409": error("stale version"), "428": error("no version given")}}
            },
            "/locations/{id}/audit": {"get": {"summary": "Change history of a location, newest first", "security": bearer, "parameters": [id],
                "responses": {"200": ok(list_of("AuditEntry")), "404": error("unknown or out of scope")}}}
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message", "fields"], "properties": {
                    "code": {"type": "string"}, "message": {"type": "string"},
                    "fields": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}}}}}}}},
                "Municipality": {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"}, "province_code": {"type": "string"}}},
                "Region": {"type": "object", "properties": {"id": {"type": "integer"}, "code": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string"}, "member_count": {"type": "integer"}}},
                "Organisation": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "kvk": {"type": "string", "nullable": true}, "kind": codes(&kinds), "municipality_code": {"type": "string", "nullable": true}}},
                "Address": {"type": "object", "required": ["postcode", "house_number", "street", "place"], "additionalProperties": false, "properties": {
                    "postcode": {"type": "string", "example": "2671 AB"}, "house_number": {"type": "integer", "minimum": 1, "maximum": 99999},
                    "house_letter": {"type": "string", "nullable": true}, "house_addition": {"type": "string", "nullable": true},
                    "street": {"type": "string"}, "place": {"type": "string"}}},
                "Facilities": {"type": "object", "additionalProperties": false, "properties": {"toilets": {"type": "integer"}, "showers": {"type": "integer"}, "kitchens": {"type": "integer"}, "washing_machines": {"type": "integer"}}},
                "BedInput": {"type": "object", "required": ["label"], "additionalProperties": false, "properties": {"id": {"type": "integer", "description": "keep this existing bed"}, "label": {"type": "string"}, "in_service": {"type": "boolean", "default": true}, "out_of_service_reason": {"type": "string", "nullable": true}}},
                "RoomInput": {"type": "object", "required": ["name", "area_m2"], "additionalProperties": false, "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "area_m2": {"type": "number"}, "beds": {"type": "array", "items": {"$ref": "#/components/schemas/BedInput"}}}},
                "LocationInput": {"type": "object", "required": ["address", "municipality_code", "housing_form", "floor_area_m2", "legal_status", "stay_type"], "additionalProperties": false, "properties": {
                    "address": {"$ref": "#/components/schemas/Address"},
                    "municipality_code": {"type": "string", "pattern": "^GM[0-9]{4}$"},
                    "bag_vbo_id": {"type": "string", "pattern": "^[0-9]{4}01[0-9]{10}$", "nullable": true},
                    "housing_form": codes(&form), "zoned_residential": {"type": "boolean"},
                    "floor_area_m2": {"type": "number", "exclusiveMinimum": true, "minimum": 0, "maximum": 999999},
                    "legal_status": codes(&status), "stay_type": codes(&stay),
                    "operator_id": {"type": "integer", "nullable": true},
                    "facilities": {"$ref": "#/components/schemas/Facilities"},
                    "position": {"type": "object", "nullable": true, "description": "{\"rd\": {\"x\", \"y\"}} or {\"wgs84\": {\"lat\", \"lon\"}}"},
                    "rooms": {"type": "array", "items": {"$ref": "#/components/schemas/RoomInput"}}}},
                "LocationSummary": {"type": "object", "properties": {"id": {"type": "integer"}, "version": {"type": "integer"}, "address": {"$ref": "#/components/schemas/Address"},
                    "municipality_code": {"type": "string"}, "municipality_name": {"type": "string"}, "housing_form": codes(&form), "legal_status": codes(&status), "stay_type": codes(&stay),
                    "operator_id": {"type": "integer", "nullable": true}, "operator_name": {"type": "string", "nullable": true}, "floor_area_m2": {"type": "number"},
                    "room_count": {"type": "integer"}, "bed_count": {"type": "integer"}, "beds_in_service": {"type": "integer"}, "updated_at": {"type": "string", "format": "date-time"}}},
                "Location": {"allOf": [{"$ref": "#/components/schemas/LocationSummary"}, {"type": "object", "properties": {
                    "bag_vbo_id": {"type": "string", "nullable": true}, "zoned_residential": {"type": "boolean"}, "facilities": {"$ref": "#/components/schemas/Facilities"},
                    "position": {"type": "object", "nullable": true}, "created_at": {"type": "string", "format": "date-time"},
                    "rooms": {"type": "array", "items": {"type": "object"}}}}]},
                "AuditEntry": {"type": "object", "properties": {"id": {"type": "integer"}, "at": {"type": "string"}, "actor": {"type": "string"}, "action": {"type": "string"}, "before": {"type": "object", "nullable": true}, "after": {"type": "object", "nullable": true}}}
            }
        }
    });
    with_norm_facts(&mut doc, "/components/schemas/LocationInput/properties");
    with_norm_facts(&mut doc, "/components/schemas/Location/allOf/1/properties");
    add_certificates(&mut doc);
    extend(&mut doc, "/paths", crate::occupancy_views::openapi_paths());
    extend(&mut doc, "/paths", crate::monitor::openapi_paths());
    extend(&mut doc, "/paths", crate::agreements::openapi_paths());
    extend(&mut doc, "/paths", crate::signals::openapi_paths());
    extend(&mut doc, "/paths", crate::enforcement::openapi_paths());
    add_norms(&mut doc);
    add_inspections(&mut doc);
    add_occupancy(&mut doc);
    add_occupancy_admin(&mut doc);
    doc
}

/// Occupancy housekeeping: the registration flags of running stays and the retention purge.
fn add_occupancy_admin(doc: &mut Value) {
    let date = json!({"type": "string", "format": "date", "example": "2026-11-28"});
    let count = json!({"type": "integer", "minimum": 0});
    extend(
        doc,
        "/paths",
        [(
            "/occupancy/maintenance",
            json!({"post": {"summary": "Occupancy maintenance (administrators), as the server runs it every day: recompute the registration flag (more than 4 months within 6 housed while not in the BRP) of stays that are open or ended within 6 months, then delete the worker records whose every stay ended more than the retention period (FLEXWONEN_RETENTION_MONTHS, default 12) before the day. Stays keep location, bed, nationality, dates and their flag, so every count stays the same; running it twice changes nothing",
                "security": [{"bearer": []}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false,
                    "properties": {"today": {"allOf": [date.clone()], "description": "the day to judge on; today when absent"}}}}}},
                "responses": {"200": ok(json!({"type": "object", "properties": {"today": date, "flags_set": count.clone(), "flags_cleared": count.clone(),
                    "retention_months": count.clone(), "workers_purged": count}})),
                    "401": error("no token"), "403": error("administrators only"), "415": error("not JSON"), "422": error("bad date")}}}),
        )],
    );
}

// certificates
/// Certificates, the public register of certified organisations and the public address lookup.
fn add_certificates(doc: &mut Value) {
    use flexwonen_core::certificates::{CertificateScheme, CertificateStatus};
    let schemes: Vec<&str> = CertificateScheme::ALL.iter().map(|v| v.as_str()).collect();
    let statuses: Vec<&str> = CertificateStatus::ALL.iter().map(|v| v.as_str()).collect();
    let bearer = json!([{"bearer": []}]);
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}});
    let if_match = json!({"name": "If-Match", "in": "header", "schema": {"type": "string"}, "description": "the ETag (version) you read"});
    let date = json!({"type": "string", "format": "date", "example": "2025-07-01"});
    let certificate = json!({"$ref": "#/components/schemas/Certificate"});
    let mut list_params = paging();
    list_params.extend([
        query("organisation_id", json!({"type": "integer"}), "only this organisation's certificates"),
        query("scheme", codes(&schemes), ""),
        query("status", codes(&statuses), "the current status"),
    ]);
    let mut register_params = paging();
    register_params.extend([
        query("scheme", codes(&schemes), ""),
        query("q", json!({"type": "string"}), "part of the organisation's name, or its KvK number"),
    ]);
    let address_params = vec![
        json!({"name": "postcode", "in": "query", "required": true, "schema": {"type": "string", "example": "2671 AB"}}),
        json!({"name": "number", "in": "query", "required": true, "schema": {"type": "integer", "minimum": 1, "maximum": 99999}}),
        query("letter", json!({"type": "string", "maxLength": 1}), "house letter"),
        query("addition", json!({"type": "string", "maxLength": 4}), "house number addition"),
    ];
    let paths = [
        (
            "/certificates",
            json!({
                "get": {"summary": "Certificates: all for administrators, municipalities, regional coordinators and inspectors; a provider's own", "security": bearer, "parameters": list_params,
                    "responses": {"200": ok(list_of("Certificate")), "400": error("bad parameter"), "401": error("not signed in"), "403": error("role does not see certificates")}},
                "post": {"summary": "Issue a certificate (administrators); it starts active from valid_from", "security": bearer,
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CertificateInput"}}}},
                    "responses": {"201": ok(certificate.clone()), "400": error("malformed JSON"), "401": error("no token"), "403": error("not an administrator"), "415": error("not JSON"), "422": error("invalid values")}}
            }),
        ),
        (
            "/certificates/{id}",
            json!({"get": {"summary": "One certificate with its status history", "security": bearer, "parameters": [id],
                "responses": {"200": ok(certificate.clone()), "404": error("unknown or out of reach")}}}),
        ),
        (
            "/certificates/{id}/status",
            json!({"post": {"summary": "Suspend, reinstate or withdraw a certificate from a date, with a reason (administrators); withdrawal is final", "security": bearer,
                "parameters": [id, if_match],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/StatusChangeInput"}}}},
                "responses": {"200": ok(certificate), "403": error("not an administrator"), "404": error("unknown"), "409": error("stale version"),
                    "422": error("invalid values or a transition that is not allowed"), "428": error("no version given")}}}),
        ),
        (
            "/public/certified-organisations",
            json!({"get": {"summary": "The public register of certified organisations (no addresses): certificates valid today and not withdrawn", "parameters": register_params,
                "responses": {"200": ok(json!({"type": "object", "properties": {"as_of": date.clone(), "total": {"type": "integer"},
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/RegisterEntry"}}}})), "400": error("bad parameter")}}}),
        ),
        (
            "/public/certified-address",
            json!({"get": {"summary": "Is this exact address certified? Answers 'certified under SNF for at most N persons, as of DATE' or 'not in the register' (public)",
                "parameters": address_params,
                "responses": {"200": ok(json!({"$ref": "#/components/schemas/CertifiedAddress"})), "400": error("malformed postcode, number, letter or addition; the field is named")}}}),
        ),
    ];
    if let Some(Value::Object(p)) = doc.pointer_mut("/paths") {
        for (path, ops) in paths {
            p.insert(path.to_string(), ops);
        }
    }
    let status_entry = json!({"type": "object", "properties": {"status": codes(&statuses), "since": date.clone(), "reason": {"type": "string"},
        "recorded_at": {"type": "string", "format": "date-time"}, "recorded_by": {"type": "string"}}});
    let schemas = [
        (
            "Certificate",
            json!({"type": "object", "properties": {"id": {"type": "integer"}, "organisation_id": {"type": "integer"}, "organisation_name": {"type": "string"},
                "organisation_kvk": {"type": "string", "nullable": true}, "scheme": codes(&schemes), "number": {"type": "string"},
                "valid_from": date.clone(), "valid_until": {"type": "string", "format": "date", "nullable": true},
                "status": codes(&statuses), "version": {"type": "integer"}, "history": {"type": "array", "items": status_entry}}}),
        ),
        (
            "CertificateInput",
            json!({"type": "object", "required": ["organisation_id", "scheme", "number", "valid_from"], "additionalProperties": false, "properties": {
                "organisation_id": {"type": "integer"}, "scheme": codes(&schemes), "number": {"type": "string", "pattern": "^[A-Za-z0-9.-]{1,40}$"},
                "valid_from": date.clone(), "valid_until": {"type": "string", "format": "date", "nullable": true}}}),
        ),
        (
            "StatusChangeInput",
            json!({"type": "object", "required": ["status", "since", "reason"], "additionalProperties": false, "properties": {
                "status": codes(&statuses), "since": date.clone(), "reason": {"type": "string", "maxLength": 200},
                "version": {"type": "integer", "description": "instead of If-Match"}}}),
        ),
        (
            "RegisterEntry",
            json!({"type": "object", "properties": {"organisation_name": {"type": "string"}, "kvk": {"type": "string", "nullable": true},
                "scheme": codes(&schemes), "certificate_number": {"type": "string"}, "valid_from": date.clone(),
                "valid_until": {"type": "string", "format": "date", "nullable": true}, "status": codes(&["active", "suspended"])}}),
        ),
        (
            "CertifiedAddress",
            json!({"type": "object", "required": ["as_of", "certified", "answer"], "properties": {"as_of": date, "certified": {"type": "boolean"},
                "scheme": {"type": "string", "enum": ["snf", "snf_inhuur"], "nullable": true},
                "max_persons": {"type": "integer", "nullable": true, "description": "the lowest number of persons the norms that apply here permit (Bouwbesluit, SNF and any municipal rule)"},
                "answer": {"type": "string", "example": "certified under SNF for at most 10 persons, as of 2025-07-01"}}}),
        ),
    ];
    if let Some(Value::Object(s)) = doc.pointer_mut("/components/schemas") {
        for (name, schema) in schemas {
            s.insert(name.to_string(), schema);
        }
    }
}

/// Adds `entries` to the object at `pointer` (paths or schemas).
fn extend(doc: &mut Value, pointer: &str, entries: impl IntoIterator<Item = (&'static str, Value)>) {
    if let Some(Value::Object(o)) = doc.pointer_mut(pointer) {
        for (name, value) in entries {
            o.insert(name.to_string(), value);
        }
    }
}

/// Norms as rule sets, a location's permitted capacity and the national capacity report.
fn add_norms(doc: &mut Value) {
    use flexwonen_core::norms::{Constraint, NormScheme};
    let schemes: Vec<&str> = NormScheme::ALL.iter().map(|v| v.as_str()).collect();
    let constraints: Vec<&str> = Constraint::ALL.iter().map(|v| v.as_str()).collect();
    let bearer = json!([{"bearer": []}]);
    let date = json!({"type": "string", "format": "date", "example": "2026-01-01"});
    let date_param = query("date", date.clone(), "the day to judge on (YYYY-MM-DD); today when absent");
    let code = json!({"name": "code", "in": "path", "required": true, "schema": {"type": "string"}});
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}});
    let body = |schema: &str| json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
    let rule_set = json!({"$ref": "#/components/schemas/RuleSet"});
    let write_errors = |extra: &[(&str, &str)]| {
        let mut r = json!({"400": error("malformed JSON"), "401": error("no token"), "403": error("may not publish this rule set"),
            "415": error("not JSON"), "422": error("invalid rule set: the field is named (e.g. versions[0].rules[2].value)")});
        for (status, text) in extra {
            r[*status] = error(text);
        }
        r
    };
    let mut created = write_errors(&[]);
    created["201"] = ok(rule_set.clone());
    let mut version_created = write_errors(&[("404", "unknown rule set")]);
    version_created["201"] = ok(json!({"$ref": "#/components/schemas/RuleSetVersion"}));
    extend(
        doc,
        "/paths",
        [
            (
                "/norms",
                json!({
            "get": {"summary": "The rule sets with their versions, validity and sources (public)", "responses": {"200": ok(list_of("RuleSet"))}},
            "post": {"summary": "Publish a rule set: administrators any; a municipality a municipal set for itself", "security": bearer.clone(),
                "requestBody": body("RuleSetInput"), "responses": created}}),
            ),
            (
                "/norms/{code}",
                json!({"get": {"summary": "One rule set (public)", "parameters": [code.clone()],
            "responses": {"200": ok(rule_set), "404": error("unknown rule set")}}}),
            ),
            (
                "/norms/{code}/versions",
                json!({"post": {"summary": "Publish the next version; it starts after the latest one (published versions never change)",
            "security": bearer.clone(), "parameters": [code], "requestBody": body("VersionInput"), "responses": version_created}}),
            ),
            (
                "/locations/{id}/capacity",
                json!({"get": {"summary": "Per applicable scheme: permitted persons, the binding constraint, violations",
            "security": bearer, "parameters": [id, date_param.clone()],
            "responses": {"200": ok(json!({"type": "object", "properties": {"location_id": {"type": "integer"}, "capacity": {"$ref": "#/components/schemas/Capacity"}}})),
                "400": error("bad date"), "401": error("not signed in"), "403": error("role sees aggregates only"), "404": error("unknown or out of reach")}}}),
            ),
            (
                "/reports/capacity",
                json!({"get": {"summary": "Locations and beds above permitted capacity, nationally, per region and per municipality (public, counts only)",
            "parameters": [date_param, query("region_kind", codes(&["province", "corop", "labour_market", "campaign_2012", "custom"]), "regions to total; labour_market by default")],
            "responses": {"200": ok(json!({"type": "object", "properties": {"date": date.clone(), "total": {"$ref": "#/components/schemas/CapacityRow"},
                "by_region": {"type": "array", "items": {"type": "object"}}, "by_municipality": {"type": "array", "items": {"$ref": "#/components/schemas/CapacityRow"}}}})),
                "400": error("bad date or region kind"), "401": error("a date other than today without signing in")}}}),
            ),
        ],
    );
    let rule = json!({"type": "object", "required": ["constraint", "source"], "properties": {
        "constraint": codes(&constraints), "value": {"type": "number", "description": "m² per person, or persons; absent for a checklist item"},
        "value_with_consent": {"type": "number", "description": "persons per bedroom with written consent"},
        "when": {"type": "object", "properties": {"housing_forms": {"type": "array", "items": codes(&["a", "b", "c", "d", "e"])},
            "zoned_residential": {"type": "boolean"}, "new_location_since": date.clone()}},
        "valid_from": date.clone(), "valid_until": date.clone(), "source": {"type": "string", "minLength": 1},
        "description_nl": {"type": "string"}, "description_en": {"type": "string"}}});
    let version = json!({"type": "object", "required": ["valid_from", "rules"], "properties": {"version": {"type": "integer"}, "valid_from": date.clone(),
        "valid_until": date.clone(), "note": {"type": "string"}, "rules": {"type": "array", "items": rule}}});
    let mut version_out = version.clone();
    version_out["properties"]["in_force_until"] = json!({"type": "string", "format": "date", "nullable": true});
    let count = json!({"type": "integer"});
    extend(
        doc,
        "/components/schemas",
        [
            (
                "RuleSetInput",
                json!({"type": "object", "required": ["code", "scheme", "name", "versions"], "properties": {
            "code": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{1,59}$"}, "scheme": codes(&schemes), "name": {"type": "string"},
            "municipalities": {"type": "array", "items": {"type": "string", "example": "GM0297"}},
            "versions": {"type": "array", "items": {"$ref": "#/components/schemas/VersionInput"}}}}),
            ),
            ("VersionInput", version.clone()),
            ("RuleSetVersion", version),
            (
                "RuleSet",
                json!({"type": "object", "properties": {"code": {"type": "string"}, "scheme": codes(&schemes), "name": {"type": "string"},
            "municipalities": {"type": "array", "items": {"type": "string"}}, "current_version": {"type": "integer", "nullable": true},
            "versions": {"type": "array", "items": version_out}}}),
            ),
            (
                "Capacity",
                json!({"type": "object", "properties": {"date": date, "persons": {"type": "integer", "description": "beds in service"},
            "permitted": {"type": "integer", "nullable": true}, "gap": {"type": "integer", "nullable": true, "description": "persons - permitted; positive is over capacity"},
            "schemes": {"type": "array", "items": {"type": "object", "properties": {"rule_set": {"type": "string"}, "name": {"type": "string"},
                "scheme": codes(&schemes), "version": {"type": "integer"}, "permitted": {"type": "integer", "nullable": true},
                "binding": {"type": "array", "items": codes(&constraints)}, "unassessed": {"type": "array", "items": codes(&constraints)},
                "violations": {"type": "array", "items": {"type": "object", "properties": {"constraint": codes(&constraints), "room": {"type": "string", "nullable": true},
                    "measured": {"type": "number"}, "required": {"type": "number"}, "comparison": codes(&["at_least", "at_most"]), "source": {"type": "string"}}}},
                "checklist": {"type": "array", "items": {"type": "object"}}}}}}}),
            ),
            (
                "CapacityRow",
                json!({"type": "object", "properties": {"municipality_code": {"type": "string"}, "locations": count.clone(),
            "beds_in_service": count.clone(), "permitted": count.clone(), "judged": count.clone(), "locations_over": count.clone(), "beds_over": count}}),
            ),
        ],
    );
}

// inspections
/// Inspections and defects, the yearly plan, the sanction ladder and the administrative check.
fn add_inspections(doc: &mut Value) {
    use flexwonen_core::inspections::{DefectStatus, InspectionStatus, PlanStatus};
    let bearer = json!([{"bearer": []}]);
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}});
    let date = json!({"type": "string", "format": "date", "example": "2026-03-10"});
    let body = |schema: &str| json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
    let inspection = json!({"$ref": "#/components/schemas/Inspection"});
    let statuses: Vec<&str> = InspectionStatus::ALL.iter().map(|v| v.as_str()).collect();
    let defect_statuses: Vec<&str> = DefectStatus::ALL.iter().map(|v| v.as_str()).collect();
    let plan_statuses: Vec<&str> = PlanStatus::ALL.iter().map(|v| v.as_str()).collect();
    let write = |ok_status: &str, schema: Value| {
        let mut r = json!({"400": error("malformed JSON"), "401": error("no token"), "403": error("only inspectors (in their region) and administrators"),
            "404": error("unknown or out of reach"), "415": error("not JSON"), "422": error("invalid values: the field is named")});
        r[ok_status] = ok(schema);
        r
    };
    let mut list_params = paging();
    list_params.push(query("location_id", json!({"type": "integer"}), "only this location's inspections"));
    let mut complete = write("200", inspection.clone());
    complete["409"] = error("stale version (If-Match)");
    extend(
        doc,
        "/paths",
        [
            (
                "/inspections",
                json!({
            "get": {"summary": "Inspections in your reach, newest planned first", "security": bearer.clone(), "parameters": list_params,
                "responses": {"200": ok(list_of("Inspection")), "400": error("bad parameter"), "401": error("not signed in"), "403": error("role sees no inspections")}},
            "post": {"summary": "Plan an inspection (an inspector plans for themselves unless inspector_id names another inspector of the region)",
                "security": bearer.clone(), "requestBody": body("PlanInput"), "responses": write("201", inspection.clone())}}),
            ),
            (
                "/inspections/{id}",
                json!({"get": {"summary": "One inspection with its frozen norm, measured values, verdict and defects", "security": bearer.clone(),
            "parameters": [id.clone()], "responses": {"200": ok(inspection.clone()), "401": error("not signed in"), "404": error("unknown or out of reach")}}}),
            ),
            (
                "/inspections/{id}/complete",
                json!({"post": {"summary": "Record a planned inspection as done: the norm in force on done_on is frozen with the verdict; findings with a deadline become defects; listed open defects are resolved",
            "security": bearer.clone(), "parameters": [id.clone(), {"name": "If-Match", "in": "header", "schema": {"type": "string"}, "description": "the ETag (version) you read"}],
            "requestBody": body("CompletionInput"), "responses": complete}}),
            ),
            (
                "/inspections/{id}/check",
                json!({"post": {"summary": "Judge measured values without saving: the verdict and, per form field, whether each rule holds",
            "security": bearer.clone(), "parameters": [id.clone()], "requestBody": body("CompletionInput"),
            "responses": write("200", json!({"type": "object", "properties": {"verdict": {"$ref": "#/components/schemas/Capacity"}, "checks": {"type": "array", "items": {"type": "object", "properties": {
                "field": {"type": "string", "example": "measurements.rooms[0].area_m2"}, "rule_set": {"type": "string"}, "constraint": {"type": "string"}, "holds": {"type": "boolean"},
                "measured": {"type": "number"}, "required": {"type": "number"}, "comparison": {"type": "string"}, "source": {"type": "string"}}}}}}))}}),
            ),
            (
                "/inspections/{id}/cancel",
                json!({"post": {"summary": "Cancel a planned inspection", "security": bearer.clone(), "parameters": [id.clone()],
            "responses": write("200", inspection.clone())}}),
            ),
            (
                "/defects/{id}/resolve",
                json!({"post": {"summary": "Resolve an open defect by a later done inspection of the same location", "security": bearer.clone(),
            "parameters": [id], "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["inspection_id"],
                "additionalProperties": false, "properties": {"inspection_id": {"type": "integer"}}}}}},
            "responses": write("200", json!({"$ref": "#/components/schemas/Defect"}))}}),
            ),
            (
                "/inspection-plan",
                json!({"get": {"summary": "The yearly plan: every location of a first-responsible SNF-certified operator, done / planned / due / overdue, with counts per province and per inspector",
            "security": bearer.clone(), "parameters": [query("year", json!({"type": "integer"}), "the calendar year; this year when absent"),
                query("region_id", json!({"type": "integer"}), "only this region's municipalities"), query("inspector_id", json!({"type": "integer"}), "only this inspector's locations")],
            "responses": {"200": ok(json!({"type": "object", "properties": {"year": {"type": "integer"}, "as_of": date.clone(),
                "rows": {"type": "array", "items": {"type": "object", "properties": {"location_id": {"type": "integer"}, "address": {"type": "string"}, "status": codes(&plan_statuses),
                    "inspection_id": {"type": "integer", "nullable": true}, "planned_on": date.clone(), "done_on": date.clone(), "inspector": {"type": "string", "nullable": true}}}},
                "total": {"type": "object"}, "by_region": {"type": "array", "items": {"type": "object"}}, "by_inspector": {"type": "array", "items": {"type": "object"}}}})),
                "400": error("bad parameter"), "401": error("not signed in"), "403": error("role sees no inspections")}}}),
            ),
            (
                "/sanctions/apply",
                json!({"post": {"summary": "Apply the sanction ladder (administrators): certificates of organisations with an open defect past its deadline are suspended the day after, withdrawn 60 days later; running it twice changes nothing",
            "security": bearer.clone(), "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false,
                "properties": {"date": date.clone()}}}}},
            "responses": {"200": ok(json!({"type": "object", "properties": {"date": date.clone(), "applied": {"type": "array", "items": {"type": "object"}}}})),
                "401": error("no token"), "403": error("administrators only"), "415": error("not JSON"), "422": error("bad date")}}}),
            ),
            (
                "/admin-check",
                json!({"post": {"summary": "Administrative check: the organisation's own list of addresses (CSV: postcode, house_number, house_letter, house_addition) against its registered locations. Reads only; audited",
            "security": bearer, "parameters": [query("organisation_id", json!({"type": "integer"}), "administrators: the organisation; a provider checks its own")],
            "requestBody": {"required": true, "content": {"text/csv": {"schema": {"type": "string"}}}},
            "responses": {"200": ok(json!({"type": "object", "properties": {"organisation_id": {"type": "integer"}, "listed": {"type": "integer"}, "registered": {"type": "integer"},
                "unregistered": {"type": "array", "items": {"type": "object", "properties": {"line": {"type": "integer"}, "postcode": {"type": "string"}, "house_number": {"type": "integer"}}}},
                "not_listed": {"type": "array", "items": {"type": "object", "properties": {"location_id": {"type": "integer"}, "address": {"type": "string"}}}}}})),
                "401": error("no token"), "403": error("not a provider or administrator"), "415": error("not CSV"), "422": error("bad lines: each named by its line number")}}}),
            ),
        ],
    );
    let measurements = json!({"type": "object", "required": ["floor_area_m2", "toilets", "showers", "persons_present"], "additionalProperties": false, "properties": {
        "floor_area_m2": {"type": "number", "exclusiveMinimum": true, "minimum": 0}, "toilets": {"type": "integer", "minimum": 0}, "showers": {"type": "integer", "minimum": 0},
        "rooms": {"type": "array", "items": {"type": "object", "required": ["name", "area_m2", "persons"], "properties": {"name": {"type": "string"}, "area_m2": {"type": "number"}, "persons": {"type": "integer", "minimum": 0}}}},
        "beds_counted": {"type": "integer", "minimum": 0}, "persons_present": {"type": "integer", "minimum": 0}}});
    let defect = json!({"type": "object", "properties": {"id": {"type": "integer"}, "inspection_id": {"type": "integer"}, "location_id": {"type": "integer"},
        "description": {"type": "string"}, "constraint": {"type": "string", "nullable": true}, "found_on": date.clone(), "deadline": date.clone(),
        "status": codes(&defect_statuses), "resolved_on": date.clone(), "resolved_by_inspection_id": {"type": "integer", "nullable": true}}});
    extend(
        doc,
        "/components/schemas",
        [
            (
                "PlanInput",
                json!({"type": "object", "required": ["location_id", "planned_on"], "additionalProperties": false, "properties": {
            "location_id": {"type": "integer"}, "planned_on": date.clone(), "scheme": codes(&["snf", "akf", "bouwbesluit"]), "inspector_id": {"type": "integer"}}}),
            ),
            (
                "CompletionInput",
                json!({"type": "object", "required": ["done_on", "measurements"], "additionalProperties": false, "properties": {
            "done_on": date.clone(), "measurements": measurements.clone(),
            "findings": {"type": "array", "items": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}, "constraint": {"type": "string"},
                "deadline": {"allOf": [date.clone()], "description": "after done_on; a finding with a deadline becomes a defect"}}}},
            "resolves": {"type": "array", "items": {"type": "integer"}, "description": "open defects of this location found repaired"}}}),
            ),
            ("Defect", defect),
            (
                "Inspection",
                json!({"type": "object", "properties": {"id": {"type": "integer"}, "version": {"type": "integer"}, "location_id": {"type": "integer"},
            "address": {"type": "string"}, "scheme": codes(&["snf", "akf", "bouwbesluit"]), "planned_on": date.clone(), "inspector_id": {"type": "integer", "nullable": true},
            "status": codes(&statuses), "done_on": date, "norms": {"type": "array", "nullable": true, "items": {"$ref": "#/components/schemas/RuleSet"},
                "description": "frozen when done: each rule set with the one version in force on done_on"},
            "measurements": measurements, "verdict": {"allOf": [{"$ref": "#/components/schemas/Capacity"}], "nullable": true},
            "defects": {"type": "array", "items": {"$ref": "#/components/schemas/Defect"}}}}),
            ),
        ],
    );
}

/// Occupancy: the push API for providers' systems, stays and the bed board.
fn add_occupancy(doc: &mut Value) {
    use flexwonen_core::occupancy::{BedState, DeductionProblem};
    use flexwonen_core::occupancy_events::{CSV_COLUMNS, EventKind, Registration};
    let all = |codes_of: &[&'static str]| codes(codes_of);
    let kinds: Vec<&str> = EventKind::ALL.iter().map(|v| v.as_str()).collect();
    let registrations: Vec<&str> = Registration::ALL.iter().map(|v| v.as_str()).collect();
    let states: Vec<&str> = BedState::ALL.iter().map(|v| v.as_str()).collect();
    let problems: Vec<&str> = DeductionProblem::ALL.iter().map(|v| v.as_str()).collect();
    let bearer = json!([{"bearer": []}]);
    let date = json!({"type": "string", "format": "date", "example": "2026-03-01"});
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}});
    let terms = json!({"type": "object", "required": ["separate_contract", "rent_per_week", "notice_days"], "additionalProperties": false, "properties": {
        "separate_contract": {"type": "boolean", "description": "a rental contract apart from the employment contract (required since 2023-07-01)"},
        "contract_start": {"allOf": [date.clone()], "description": "the check-in date when absent"},
        "rent_per_week": {"type": "number", "minimum": 0}, "notice_days": {"type": "integer", "minimum": 0, "maximum": 366},
        "deduction_per_week": {"type": "number", "minimum": 0, "description": "rent deducted from the wage; 0 when none"},
        "written_authorisation": {"type": "boolean"}, "hours_per_week": {"type": "number", "description": "needed with a deduction: the limit is 25% (20% under an agricultural CAO) of the minimum wage for these hours"},
        "agricultural_cao": {"type": "boolean"}}});
    let worker = json!({"type": "object", "required": ["reference", "nationality", "registration"], "additionalProperties": false, "properties": {
        "reference": {"type": "string", "maxLength": 100, "description": "the provider's own reference; never a name"},
        "nationality": {"type": "string", "description": "ISO 3166-1 alpha-2", "example": "PL"},
        "employer_id": {"type": "integer", "description": "the employer's organisation id"},
        "registration": all(&registrations), "brp_municipality": {"type": "string", "example": "GM0983", "description": "with brp"},
        "registered_on": {"allOf": [date.clone()], "description": "with brp and rni"},
        "bsn": {"type": "string", "description": "only to match the same person across providers: checked with the eleven-test, stored as a keyed hash, never shown or exported; refused when the server has no key"}}});
    let event = json!({"type": "object", "required": ["id", "type", "date"], "additionalProperties": false, "properties": {
        "id": {"type": "string", "maxLength": 100, "description": "the sender's own event id: sent again, the event is a duplicate and changes nothing"},
        "type": all(&kinds), "date": date.clone(),
        "bed_id": {"type": "integer", "description": "check_in and transfer: the bed (transfer: the new bed)"},
        "worker": {"allOf": [worker], "description": "check_in: the worker (created or brought up to date by reference)"},
        "worker_reference": {"type": "string", "description": "check_out and transfer"},
        "terms": {"allOf": [terms.clone()], "description": "check_in: required; transfer: optional, the old terms carry over"}}});
    let stay = json!({"type": "object", "properties": {"id": {"type": "integer"}, "location_id": {"type": "integer"}, "bed_id": {"type": "integer"},
        "worker_id": {"type": "integer", "nullable": true, "description": "null once the worker record is purged"},
        "worker_reference": {"type": "string", "nullable": true}, "nationality": {"type": "string"}, "registration": {"allOf": [all(&registrations)], "nullable": true},
        "check_in": date.clone(), "check_out": {"allOf": [date.clone()], "nullable": true, "description": "the day of departure; the last night is the one before"},
        "terms": terms, "deduction_problems": {"type": "array", "items": all(&problems)},
        "unregistered_long": {"type": "boolean", "description": "housed more than 4 months within 6 while not BRP-registered"}, "version": {"type": "integer"}}});
    extend(doc, "/components/schemas", [("OccupancyEvent", event), ("Stay", stay)]);
    let result = json!({"type": "object", "properties": {"id": {"type": "string", "nullable": true}, "line": {"type": "integer", "description": "CSV uploads: the line"},
        "result": codes(&["applied", "duplicate", "rejected", "failed"]), "stay_id": {"type": "integer"},
        "message": {"type": "string", "description": "failed: the server could not apply the event (nothing of it changed); send it again"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}}}}}});
    let csv_columns = CSV_COLUMNS.join(",");
    extend(
        doc,
        "/paths",
        [
            (
                "/occupancy/events",
                json!({"post": {"summary": "A batch of check-in, check-out and transfer events from a provider's system (providers: their own locations). Each event is applied in order in its own transaction: applied, duplicate (its id was sent before; nothing changes) or rejected with the reasons (nothing of it changes). Refused: a bed taken on any of the nights, out of service or unknown; a check-in above the capacity the norms permit on its date; a worker already in another bed; a check-out before the check-in.",
            "security": bearer.clone(), "requestBody": {"required": true, "content": {
                "application/json": {"schema": {"type": "object", "required": ["events"], "additionalProperties": false, "properties": {"events": {"type": "array", "maxItems": 1000, "items": {"$ref": "#/components/schemas/OccupancyEvent"}}}}},
                "text/csv": {"schema": {"type": "string", "description": format!("UTF-8, one event per line, header: {csv_columns}; booleans ja/nee")}}}},
            "responses": {"200": ok(json!({"type": "object", "properties": {"applied": {"type": "integer"}, "duplicates": {"type": "integer"}, "rejected": {"type": "integer"}, "failed": {"type": "integer"},
                "results": {"type": "array", "items": result}}})),
                "400": error("malformed JSON"), "401": error("no token"), "403": error("role may not record stays, or a browser session"),
                "413": error("body over 1 MB"), "415": error("neither JSON nor CSV"), "422": error("a CSV file that is not UTF-8 or has the wrong header; more than 1000 events")}}}),
            ),
            (
                "/stays/{id}",
                json!({"get": {"summary": "One stay (roles that may see workers; the read is logged)", "security": bearer.clone(), "parameters": [id.clone()],
                "responses": {"200": ok(json!({"$ref": "#/components/schemas/Stay"})), "401": error("not signed in"), "403": error("counts only for this role"), "404": error("no such stay in your scope")}},
            "put": {"summary": "Correct a stay recorded wrongly: its bed and dates, with the same invariants as a check-in; audited with the values before and after", "security": bearer.clone(), "parameters": [id.clone()],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["bed_id", "check_in", "version"], "additionalProperties": false, "properties": {
                    "bed_id": {"type": "integer"}, "check_in": date.clone(), "check_out": {"allOf": [date.clone()], "nullable": true}, "version": {"type": "integer", "description": "or If-Match"}}}}}},
                "responses": {"200": ok(json!({"$ref": "#/components/schemas/Stay"})), "401": error("no token"), "404": error("no such stay in your scope"),
                    "409": error("stale version"), "422": error("refused: the reason per field"), "428": error("no version given")}}}),
            ),
            (
                "/occupancy/reads",
                json!({"get": {"summary": "The log of reads of worker data, newest first: who, when, what (bed board, stay), which record and how many workers it showed (administrators)",
            "security": bearer.clone(), "parameters": [query("limit", json!({"type": "integer", "minimum": 1, "maximum": 1000}), "how many; 100 when absent")],
            "responses": {"200": ok(json!({"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
                "at": {"type": "string", "format": "date-time"}, "actor": {"type": "string"}, "what": {"type": "string"}, "subject_id": {"type": "integer", "nullable": true},
                "records": {"type": "integer"}}}}}})), "400": error("bad limit"), "401": error("not signed in"), "403": error("not an administrator")}}}),
            ),
            (
                "/locations/{id}/beds",
                json!({"get": {"summary": "The bed board of a location on a day: per bed free, occupied, reserved (booked from a later day) or out of service, with the permitted capacity; with the stay (pseudonymous) for roles that may see workers, a read that is logged",
            "security": bearer, "parameters": [id, query("date", date.clone(), "the day; today when absent")],
            "responses": {"200": ok(json!({"type": "object", "properties": {"location_id": {"type": "integer"}, "date": date, "permitted": {"type": "integer", "nullable": true},
                "occupied": {"type": "integer"}, "reserved": {"type": "integer"}, "free": {"type": "integer"}, "out_of_service": {"type": "integer"},
                "over_capacity": {"type": "boolean"}, "beds": {"type": "array", "items": {"type": "object", "properties": {"bed_id": {"type": "integer"}, "room": {"type": "string"},
                    "label": {"type": "string"}, "state": all(&states), "out_of_service_reason": {"type": "string", "nullable": true},
                    "stay": {"$ref": "#/components/schemas/Stay"}}}}}})),
                "400": error("bad date"), "401": error("not signed in"), "403": error("role sees aggregates only"), "404": error("no such location in your scope")}}}),
            ),
        ],
    );
}
