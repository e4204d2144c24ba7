//! Ready-made content: the README demo's sample API, and any repository that Postman's
//! own git integration wrote (`.postman/api`, `.postman/api_<id>`, schema files and
//! collection JSON), loaded with the same API id, collection UIDs and item ids.

use std::path::Path;

use serde_json::{json, Value};

use super::state::State;

/// The sample API's id (stable, so the README can name it).
pub const SAMPLE_API_ID: &str = "b7d3c1a2-5e4f-4a6b-9c8d-0e1f2a3b4c5d";

pub(super) const INDEX_V1: &str = "openapi: 3.0.3
info:
  title: Payments API
  version: 1.0.0
  description: Take card payments.
servers:
  - url: https://api.example.com/v1
paths:
  /payments:
    $ref: paths/payments.yaml
  /payments/{paymentId}:
    $ref: paths/payment.yaml
components:
  schemas:
    Payment:
      $ref: components/schemas/Payment.yaml
    Error:
      $ref: components/schemas/Error.yaml
";

pub(super) const PAYMENTS: &str = "get:
  summary: List payments
  operationId: listPayments
  responses:
    '200':
      description: A page of payments
      content:
        application/json:
          schema:
            type: array
            items:
              $ref: ../components/schemas/Payment.yaml
post:
  summary: Create a payment
  operationId: createPayment
  requestBody:
    required: true
    content:
      application/json:
        schema:
          $ref: ../components/schemas/Payment.yaml
  responses:
    '201':
      description: The payment
      content:
        application/json:
          schema:
            $ref: ../components/schemas/Payment.yaml
    '400':
      description: Invalid payment
      content:
        application/json:
          schema:
            $ref: ../components/schemas/Error.yaml
";

pub(super) const PAYMENT: &str = "parameters:
  - name: paymentId
    in: path
    required: true
    schema:
      type: string
get:
  summary: Get a payment
  operationId: getPayment
  responses:
    '200':
      description: The payment
      content:
        application/json:
          schema:
            $ref: ../components/schemas/Payment.yaml
    '404':
      description: No such payment
      content:
        application/json:
          schema:
            $ref: ../components/schemas/Error.yaml
";

pub(super) const PAYMENT_SCHEMA: &str = "type: object
required: [id, amount, status]
properties:
  id:
    type: string
  amount:
    $ref: Money.yaml
  status:
    type: string
    enum: [pending, captured, refunded]
";

pub(super) const MONEY: &str = "type: object
required: [value, currency]
properties:
  value:
    type: integer
    description: Amount in minor units (cents).
  currency:
    type: string
    pattern: '^[A-Z]{3}$'
";

pub(super) const ERROR: &str = "type: object
required: [message]
properties:
  message:
    type: string
";

const REFUNDS: &str = "post:
  summary: Refund a payment
  operationId: refundPayment
  parameters:
    - name: paymentId
      in: path
      required: true
      schema:
        type: string
  responses:
    '202':
      description: Refund accepted
      content:
        application/json:
          schema:
            $ref: ../components/schemas/Payment.yaml
";

pub(super) fn payments_collection() -> Value {
    let url = |path: &str| json!({"raw": format!("{{{{baseUrl}}}}/{path}"), "host": ["{{baseUrl}}"], "path": path.split('/').collect::<Vec<_>>()});
    json!({
        "info": {
            "name": "Payments API",
            "description": "Requests for the Payments API.",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
        },
        "item": [{
            "name": "payments",
            "item": [
                {
                    "name": "List payments",
                    "request": {"method": "GET", "header": [{"key": "Accept", "value": "application/json"}], "url": url("payments")},
                    "response": [{
                        "name": "OK",
                        "originalRequest": {"method": "GET", "header": [], "url": url("payments")},
                        "status": "OK",
                        "code": 200,
                        "_postman_previewlanguage": "json",
                        "header": [{"key": "Content-Type", "value": "application/json"}],
                        "cookie": [],
                        "body": "[]"
                    }]
                },
                {
                    "name": "Create payment",
                    "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": ["pm.test(\"created\", () => pm.response.to.have.status(201));"]}}],
                    "request": {
                        "method": "POST",
                        "header": [{"key": "Content-Type", "value": "application/json"}],
                        "body": {"mode": "raw", "raw": "{\n  \"amount\": {\"value\": 1250, \"currency\": \"EUR\"}\n}", "options": {"raw": {"language": "json"}}},
                        "url": url("payments")
                    },
                    "response": []
                },
                {
                    "name": "Get payment",
                    "request": {"method": "GET", "header": [], "url": url("payments/:paymentId")},
                    "response": []
                }
            ]
        }],
        "auth": {"type": "apikey", "apikey": [{"key": "key", "value": "X-Api-Key", "type": "string"}, {"key": "value", "value": "{{apiKey}}", "type": "string"}]},
        "event": [{"listen": "prerequest", "script": {"type": "text/javascript", "exec": [""]}}],
        "variable": [{"key": "baseUrl", "value": "https://api.example.com/v1", "type": "string"}]
    })
}

fn smoke_collection() -> Value {
    json!({
        "info": {
            "name": "QA/Smoke tests",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
        },
        "item": [{
            "name": "Health",
            "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": ["pm.test(\"up\", () => pm.response.to.have.status(200));"]}}],
            "request": {"method": "GET", "header": [], "url": {"raw": "https://api.example.com/health", "protocol": "https", "host": ["api", "example", "com"], "path": ["health"]}},
            "response": []
        }]
    })
}

impl State {
    /// The README demo: a multi-file OpenAPI 3 definition with `$ref`s across
    /// sub-folders, two collections, and version `v1.0.0` published before the last
    /// change (so the live API is one edit ahead of its version).
    pub fn seed_sample(&mut self) -> String {
        let api = self.create_api(Some(SAMPLE_API_ID), "Payments API");
        self.create_schema(&api, None, "openapi:3");
        let files = [
            ("index.yaml", INDEX_V1),
            ("paths/payments.yaml", PAYMENTS),
            ("paths/payment.yaml", PAYMENT),
            ("components/schemas/Payment.yaml", PAYMENT_SCHEMA),
            ("components/schemas/Money.yaml", MONEY),
            ("components/schemas/Error.yaml", ERROR),
        ];
        for (path, content) in files {
            self.put_schema_file_with_root(&api, path, content, Some(path == "index.yaml"));
        }
        let owner = self.user;
        self.create_collection(&api, owner, None, payments_collection());
        self.create_collection(&api, owner, None, smoke_collection());
        self.publish_version(&api, "v1.0.0", "First release: payments.");
        let index = INDEX_V1
            .replace("version: 1.0.0", "version: 1.1.0")
            .replace("Take card payments.", "Take and refund card payments.")
            .replace(
                "    $ref: paths/payment.yaml\n",
                "    $ref: paths/payment.yaml\n  /payments/{paymentId}/refunds:\n    $ref: paths/refunds.yaml\n",
            );
        self.put_schema_file(&api, "paths/refunds.yaml", REFUNDS);
        self.put_schema_file(&api, "index.yaml", &index);
        api
    }

    /// Loads a repository written by Postman's git integration (see
    /// `shared/postman/git-layout/`). Every API listed in `.postman/api` is created
    /// with its own id; returns the first. Schema files get Postman paths relative to
    /// the schema root directory (`rootDirectory` in configVersion 1.0.0 files; the
    /// repository root in 1.1.0, whose `files[]` paths are repo-root relative).
    pub fn seed_git_layout(&mut self, repo_dir: &Path) -> String {
        let index = read(&repo_dir.join(".postman/api"));
        let ids: Vec<String> = parse_ini(&index)
            .into_iter()
            .filter(|e| e.key == "apis[]")
            .filter_map(|e| json_field(&e.value, "apiId"))
            .collect();
        assert!(
            !ids.is_empty(),
            "fake Postman: no apis[] in {}",
            repo_dir.display()
        );
        let name = repo_dir
            .file_name()
            .map_or("API".into(), |n| n.to_string_lossy().into_owned());
        for id in &ids {
            self.seed_one_layout_api(repo_dir, id, &name);
        }
        ids[0].clone()
    }

    fn seed_one_layout_api(&mut self, repo: &Path, api_id: &str, name: &str) {
        let entries = parse_ini(&read(&repo.join(format!(".postman/api_{api_id}"))));
        let get = |section: &str, key: &str| -> Vec<String> {
            let section = format!("config.relations.{section}");
            entries
                .iter()
                .filter(|e| e.section == section && e.key == key)
                .map(|e| e.value.clone())
                .collect()
        };
        let first = |section: &str, key: &str| get(section, key).into_iter().next();
        let config_version = entries
            .iter()
            .find(|e| e.section.is_empty() && e.key == "configVersion")
            .map(|e| e.value.clone())
            .unwrap_or_default();
        self.create_api(Some(api_id), name);

        let schema_files: Vec<String> = get("apiDefinition", "files[]")
            .iter()
            .filter_map(|f| json_field(f, "path"))
            .collect();
        if !schema_files.is_empty() {
            let schema_root = first("apiDefinition", "rootDirectory").unwrap_or_else(|| {
                let legacy = config_version == "1.0.0";
                if legacy { "postman/schemas" } else { "" }.into()
            });
            let roots = get("apiDefinition.metaData", "rootFiles[]");
            let kind =
                first("apiDefinition.metaData", "type").unwrap_or_else(|| "openapi:3".into());
            self.create_schema(api_id, None, &kind);
            for path in schema_files {
                let content = read(&repo.join(&schema_root).join(&path));
                let is_root = roots.contains(&path);
                self.put_schema_file_with_root(api_id, &path, &content, Some(is_root));
            }
        }

        let collection_root =
            first("collections", "rootDirectory").unwrap_or_else(|| "postman/collections".into());
        for entry in get("collections", "files[]") {
            let (Some(uid), Some(path)) = (json_field(&entry, "id"), json_field(&entry, "path"))
            else {
                continue;
            };
            let file = repo.join(&collection_root).join(&path);
            let collection: Value = serde_json::from_str(&read(&file))
                .unwrap_or_else(|e| panic!("fake Postman: {} is not JSON: {e}", file.display()));
            let owner = uid
                .split_once('-')
                .and_then(|(o, _)| o.parse().ok())
                .unwrap_or(self.user);
            self.create_collection(api_id, owner, Some(&uid), collection);
        }
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("fake Postman: cannot read {}: {e}", path.display()))
}

/// One `key = value` line of Postman's ini-style `.postman` files.
struct IniEntry {
    section: String,
    key: String,
    value: String,
}

fn parse_ini(text: &str) -> Vec<IniEntry> {
    let mut section = String::new();
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_string();
        } else if let Some((key, value)) = line.split_once('=') {
            out.push(IniEntry {
                section: section.clone(),
                key: key.trim().into(),
                value: value.trim().into(),
            });
        }
    }
    out
}

fn json_field(value: &str, field: &str) -> Option<String> {
    let v: Value = serde_json::from_str(value).ok()?;
    v.get(field)?.as_str().map(str::to_string)
}
