//! Files the Postman desktop app (and its agent plugin's documentation) wrote, verbatim,
//! from the public repositories `reference/postman-v12.md` §2-3 reads. Data for the tests.

/// postmanlabs/postman-plugin `skills/collection-schema-v3/reference/other_entities.md`
/// @ a2673355: the documented shape, every kind.
pub const PLUGIN: &str = "workspace:
  id: 6d3e9a17-4c80-4f25-b1a9-7e02c58d3f64
cloudResources:
  collections:
    ../postman/collections/My API: 12345678-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee
  environments:
    ../postman/environments/Dev.environment.yaml: 12345678-6d3e9a17-4c80-4f25-b1a9-7e02c58d3f64
  globals:
    ../postman/globals/Globals.globals.yaml: 12345678-99999999-8888-7777-6666-555555555555
  datasets:
    ../postman/datasets/users/users.dataset.yaml: d7c81f43-2e95-4a08-b6d1-9f3e5c07a284
  mocks:
    ../postman/mocks/probe-mock/config.yaml: a41c8e05-7f23-4b96-8d0e-3c6a9b25f718
  specs:
    ../postman/specs/orders.yaml: cccccccc-dddd-eeee-ffff-000000000000
";

// The app's files share their comments; the pieces are literals so that each file below
// is still one verbatim string (`concat!`).
macro_rules! use_this_workspace {
    () => {
        "# Use this workspace to collaborate\n"
    };
}
macro_rules! each_entry {
    () => {
        "\n# Each entry here maps a local resource to one or more corresponding objects in Postman Cloud\n\n"
    };
}
macro_rules! all_resources {
    () => {
        "\n# All resources in the `postman/` folder are automatically registered in Local View.
# Point to additional files outside the `postman/` folder to register them individually. Example:
#localResources:
#  collections:
#    - ../tests/E2E Test Collection/
"
    };
}
macro_rules! cerdmann_head {
    () => {
        concat!(
            use_this_workspace!(),
            "workspace:
  id: 50c7f0d7-41c5-4953-b12b-0b06c52835ca
",
            each_entry!(),
            "cloudResources:
  collections:
    ../postman/collections/Identity-Service: 53284017-80c9dbbd-4e9d-4f0c-81cb-3f1bf87b1784
  specs:
"
        )
    };
}

/// The template the app writes for a new workspace: cerdmann/identity-service @ 0cd7651.
pub const TEMPLATE: &str = concat!(
    use_this_workspace!(),
    "workspace:
  id: 8780a472-3d18-4b03-8bf7-7c7f0cacb108
",
    all_resources!()
);

/// cerdmann/identity-service @ f012b4d: the template once the app added the first mappings.
pub const CERDMANN_FIRST: &str = concat!(
    cerdmann_head!(),
    "    ../postman/specs/identity-service.yaml: a27b0f35-473c-420c-be82-98bb48412ec1
",
    all_resources!()
);

/// cerdmann/identity-service @ 1067665: a spec and an environment added.
pub const CERDMANN_SECOND: &str = concat!(
    cerdmann_head!(),
    "    ../postman/specs/identity-service.yaml: a27b0f35-473c-420c-be82-98bb48412ec1
    ../postman/specs/openapi.yaml: aa74aa62-3867-47f3-b3e9-9b53a73678a5
  environments:
    ../postman/environments/local.environment.yaml: 9abcec24-2e0b-50f4-89c0-fd470f620f86
",
    all_resources!()
);

/// cerdmann/identity-service @ b4ef2bf: the stale spec mapping removed.
pub const CERDMANN: &str = concat!(
    cerdmann_head!(),
    "    ../postman/specs/openapi.yaml: aa74aa62-3867-47f3-b3e9-9b53a73678a5
  environments:
    ../postman/environments/local.environment.yaml: 9abcec24-2e0b-50f4-89c0-fd470f620f86
",
    all_resources!()
);

/// solis-eduardo/postman-test @ 0a636c9: `localResources`, documents, flows (24-hex id),
/// globals and `resourceNameMappings`, no comments.
pub const SOLIS: &str = "workspace:
  id: c57071c8-2daa-42b5-9d71-be5c7c63d9c4
localResources:
  specs:
    - ../postman/specs/openapi.yaml
cloudResources:
  collections:
    ../postman/collections/PetVerse API: 3512728-9a5161f2-75bb-4f8f-9007-ef28d05df92f
  environments:
    ../postman/environments/PetVerse API - Development.environment.yaml: 3512728-f8bb4d9c-1040-4f12-b5db-011c1992ddde
    ../postman/environments/PetVerse API - Local.environment.yaml: 3512728-114b002b-f01e-4db6-9ee5-e4fbaa0c05b8
    ../postman/environments/PetVerse API - Production.environment.yaml: 3512728-0e113449-de8d-41a9-be71-88cba488b150
    ../postman/environments/PetVerse API - Staging.environment.yaml: 3512728-e72febc4-b86b-4162-ae68-1ad4ea562062
  specs:
    ../postman/specs/openapi.yaml: cff9ef8c-762c-4279-9e9a-e6cc5fa36545
  documents:
    ../postman/documents/Guia da API PetVerse.md: 4754dea9-870e-4d59-b6d9-4fa14395fc0a
  flows:
    ../postman/flows/New flow.flow: 6a7c64967410e199a51558cb
  globals:
    ../postman/globals/workspace.globals.yaml: 5b86ff9b-627c-473a-8714-b2fadcac796d
resourceNameMappings:
  specs:
    - ../postman/specs/openapi.yaml: openapi.yaml
";

/// 0x7D4/stacksniff @ 0ca00e9: a bare-UUID collection id, no comment above the block.
pub const STACKSNIFF: &str = concat!(
    use_this_workspace!(),
    "workspace:
  id: e191ccd8-fa46-4136-86a0-fab3e15011fb

cloudResources:
  collections:
    ../postman/collections/stacksniff API: 3074fa9e-d53b-479a-8d78-f92bee6aca69
",
    all_resources!()
);

/// 12evgen/test-api @ e969884: a 24-hex collection id and a non-ASCII name.
pub const EVGEN: &str = concat!(
    "workspace:
  id: 211a6bef-d646-4ddf-8955-b303537c7854
",
    each_entry!(),
    "cloudResources:
  collections:
    ../postman/collections/User API — Native GraphQL: 6a7f459c19c3ff65efa6428e
  globals:
    ../postman/globals/workspace.globals.yaml: 80493c31-9c77-4c8a-8c3d-4a233946cf57
"
);

pub const RESOURCES_FILES: [(&str, &str); 8] = [
    ("plugin", PLUGIN),
    ("template", TEMPLATE),
    ("cerdmann@f012b4d", CERDMANN_FIRST),
    ("cerdmann@1067665", CERDMANN_SECOND),
    ("cerdmann", CERDMANN),
    ("solis", SOLIS),
    ("stacksniff", STACKSNIFF),
    ("12evgen", EVGEN),
];

/// solis-eduardo/postman-test, `postman/environments/PetVerse API - Development.environment.yaml`
/// @ 9cfc05d: an environment as the app writes it when it pulls one from the cloud.
pub const ENV_PULLED: &str = "owner: \"3512728\"
team: \"22828748\"
lastUpdatedBy: \"3512728\"
lastRevision: 1786537105000
name: PetVerse API - Development
color: null
values:
  - key: base_url
    value: https://api.dev.petverse.example.com
    enabled: true
  - key: user_email
    value: tutor.dev@petverse.dev
    enabled: true
  - key: user_password
    value: \"{{DEV_USER_PASSWORD}}\"
    enabled: true
  - key: access_token
    value: \"\"
    enabled: true
  - key: refresh_token
    value: \"\"
    enabled: true
createdAt: 2026-08-12T12:18:25.000Z
updatedAt: 2026-08-12T12:18:25.000Z
";

/// The same repository's `PetVerse API - Local.environment.yaml` @ 0a636c9: the app's
/// "Convert to v3" form (no `enabled`, single quotes, a numeric `color`).
pub const ENV_CONVERTED: &str = "name: PetVerse API - Local
values:
  - key: base_url
    value: 'http://localhost:3000'
  - key: user_email
    value: tutor@petverse.dev
  - key: user_password
    value: s3nha-super-secreta
color: 0
";

/// cerdmann/identity-service `postman/environments/local.environment.yaml` @ b4ef2bf.
pub const ENV_CERDMANN: &str = "name: local
values:
  - key: baseUrl
    enabled: true
    value: 'http://localhost:3001'
";

/// `postman/globals/workspace.globals.yaml` in cerdmann, solis and 12evgen alike.
pub const GLOBALS: &str = "name: Globals
values: []
";

/// A variable with `enabled: true`.
pub fn var(key: &str, value: &str, kind: &str) -> super::state::Variable {
    super::state::Variable {
        key: key.into(),
        value: Some(value.into()),
        enabled: true,
        kind: kind.into(),
    }
}
