//! Shipment tracking through the real router on real PostgreSQL: shipments and their items
//! (ownership, quantities under concurrent creates), carriers' formats, delay, events (the
//! status machine: idempotent, never regressing, terminal, order-independent), the tracking
//! lookup, delete rules, carrier webhooks and the import.

mod create;
mod events;
mod import;
mod list;
mod lookup;
mod one_event;
mod webhooks;

use crate::common::{Actor, TestApp, builders::NewOrder};
use serde_json::{Value, json};
use uuid::Uuid;

/// A client with a signed-in user, two products and one order request for 5 of the first
/// and 3 of the second.
pub struct World {
    pub client: Uuid,
    pub user: Actor,
    pub products: [Uuid; 2],
    pub order: Uuid,
    pub lines: Vec<Uuid>,
}

impl World {
    pub async fn new(app: &TestApp, name: &str) -> World {
        let client = app.insert_client(name).await;
        let user = app.client_user(client).await;
        let a = app.insert_product(client, &format!("{name}-A")).await;
        let b = app.insert_product(client, &format!("{name}-B")).await;
        let order = app
            .insert(NewOrder::new(client).item(a, 5).item(b, 3))
            .await;
        World {
            client,
            user,
            products: [a, b],
            order: order.id,
            lines: order.items,
        }
    }

    pub fn shipments(&self) -> String {
        format!("/api/v1/clients/{}/shipments", self.client)
    }

    /// A valid create body shipping `quantity` of the first product by UPS.
    pub fn body(&self, quantity: i64) -> Value {
        json!({
            "order_request_id": self.order,
            "carrier": "ups",
            "tracking_number": "1Z999AA10123456784",
            "items": [{"product_id": self.products[0], "quantity": quantity}],
        })
    }

    /// Creates a shipment; answers its id.
    pub async fn ship(&self, app: &TestApp, body: Value) -> String {
        let res = app.post(&self.shipments(), &self.user, body).await;
        assert_eq!(
            res.status,
            axum::http::StatusCode::CREATED,
            "{}",
            res.text()
        );
        res.json()["id"].as_str().expect("id").to_owned()
    }

    pub fn events(&self, shipment: &str) -> String {
        format!("{}/{shipment}/events", self.shipments())
    }
}
