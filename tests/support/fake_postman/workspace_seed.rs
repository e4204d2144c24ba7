//! A ready-made Postman v12 workspace: a multi-file OpenAPI spec (the sample API's
//! files, ROOT `index.yaml`), a single-file AsyncAPI spec, a collection generated from
//! the OpenAPI spec (linked to it), a hand-made v2.1 collection, an environment with a
//! `secret` variable, and globals.

use serde_json::{json, Value};

use super::seed::{payments_collection, ERROR, INDEX_V1, MONEY, PAYMENT, PAYMENTS, PAYMENT_SCHEMA};
use super::state::State;

/// The sample workspace's id (stable, so the README can name it).
pub const SAMPLE_WORKSPACE_ID: &str = "6d3e9a17-4c80-4f25-b1a9-7e02c58d3f64";

/// The secret's value: tests check where it may and may not end up.
pub const SAMPLE_SECRET: &str = "sk_test_51Hc0ffeeDeadBeef";

const EVENTS: &str = r#"{
  "asyncapi": "2.6.0",
  "info": {"title": "Payment events", "version": "1.0.0"},
  "channels": {
    "payments/captured": {
      "subscribe": {"message": {"payload": {"type": "object", "properties": {"id": {"type": "string"}}}}}
    }
  }
}
"#;

/// The environment's variables: a plain one, a secret one, a disabled one.
pub fn staging_values() -> Vec<Value> {
    vec![
        json!({"key": "baseUrl", "value": "https://staging.example.com/v1", "type": "default", "enabled": true}),
        json!({"key": "apiKey", "value": SAMPLE_SECRET, "type": "secret", "enabled": true, "description": "Staging key"}),
        json!({"key": "debug", "value": "false", "type": "default", "enabled": false}),
    ]
}

impl State {
    /// Seeds the sample workspace; returns its id.
    pub fn seed_workspace(&mut self) -> String {
        let ws = self.create_workspace(Some(SAMPLE_WORKSPACE_ID), "Payments");
        let files = [
            ("index.yaml", INDEX_V1, true),
            ("paths/payments.yaml", PAYMENTS, false),
            ("paths/payment.yaml", PAYMENT, false),
            ("components/schemas/Payment.yaml", PAYMENT_SCHEMA, false),
            ("components/schemas/Money.yaml", MONEY, false),
            ("components/schemas/Error.yaml", ERROR, false),
        ];
        let payments = self.create_spec(&ws, "payments", "OPENAPI:3.0", &files);
        self.create_spec(
            &ws,
            "events",
            "ASYNCAPI:2.0",
            &[("asyncapi.json", EVENTS, true)],
        );
        self.generate_collection(&payments, "Payments API (generated)")
            .expect("the sample spec generates");
        self.create_collection_in(&ws, payments_collection());
        self.create_environment(Some(&ws), "Staging", staging_values());
        let globals =
            vec![json!({"key": "region", "value": "eu", "type": "default", "enabled": true})];
        self.set_globals(&ws, globals);
        ws
    }
}
