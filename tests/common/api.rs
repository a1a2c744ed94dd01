//! The API as tests call it, feature by feature: one call that does the request and checks
//! it succeeded, so a test reads as the behaviour it checks.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Actor, TestApp, TestResponse};

// Auth -----------------------------------------------------------------------------------------

impl TestApp {
    /// `POST /api/v1/auth/login`, answered as is.
    pub async fn login(&self, email: &str, password: &str) -> TestResponse {
        self.request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": email, "password": password})),
        )
        .await
    }

    /// Signs in through the API and answers the access token.
    pub async fn login_token(&self, email: &str, password: &str) -> String {
        let res = self.login(email, password).await;
        assert_eq!(res.status, StatusCode::OK, "login {email}: {}", res.text());
        res.json()["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    /// A new user of `role` (a client user of `client_id`), signed in through the API: its
    /// token comes from `POST /auth/login`, not from the harness.
    pub async fn signed_in(&self, role: &str, client_id: Option<Uuid>) -> Actor {
        let minted = self.user(role, client_id).await;
        let token = self.login_token(&minted.email, super::TEST_PASSWORD).await;
        Actor { token, ..minted }
    }
}

// Clients --------------------------------------------------------------------------------------

impl TestApp {
    /// A client as a test needs it most: the client and one of its users.
    pub async fn client_with_user(&self, name: &str) -> (Uuid, Actor) {
        let client = self.insert_client(name).await;
        let user = self.client_user(client).await;
        (client, user)
    }
}

// Products -------------------------------------------------------------------------------------

impl TestApp {
    /// `POST …/products`, which must answer 201; the created product.
    pub async fn create_product(&self, actor: &Actor, client: Uuid, body: Value) -> Value {
        let res = self
            .post(&format!("/api/v1/clients/{client}/products"), actor, body)
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        res.json()
    }

    /// `PATCH …/products/{id}/costs`, which must answer 200; the product.
    pub async fn set_costs(
        &self,
        actor: &Actor,
        client: Uuid,
        product: Uuid,
        costs: Value,
    ) -> Value {
        let res = self
            .patch(
                &format!("/api/v1/clients/{client}/products/{product}/costs"),
                actor,
                costs,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        res.json()
    }
}

// Budgets and variance -------------------------------------------------------------------------

impl TestApp {
    /// `POST …/budgets`, which must answer 201; the new budget's id.
    pub async fn create_budget(&self, actor: &Actor, client: Uuid, body: Value) -> String {
        let res = self
            .post(&format!("/api/v1/clients/{client}/budgets"), actor, body)
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        res.json()["id"].as_str().expect("id").to_owned()
    }

    /// `GET …/budgets/variance?{query}`, which must answer 200; its entries.
    pub async fn variance(&self, actor: &Actor, client: Uuid, query: &str) -> Vec<Value> {
        let res = self
            .get_as(
                &format!("/api/v1/clients/{client}/budgets/variance?{query}"),
                actor,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        res.json()["data"].as_array().expect("data").clone()
    }
}

/// The variance entry of a budget.
#[track_caller]
pub fn entry_of<'a>(entries: &'a [Value], budget: &str) -> &'a Value {
    entries
        .iter()
        .find(|e| e["budget_id"] == budget)
        .unwrap_or_else(|| panic!("no variance for {budget} in {entries:?}"))
}

// Cost tracking --------------------------------------------------------------------------------

impl TestApp {
    /// `POST …/cost-tracking/aggregate` of a month, which must answer 200; its summary.
    pub async fn aggregate(&self, actor: &Actor, client: Uuid, period: &str) -> Value {
        let res = self
            .post(
                &format!("/api/v1/clients/{client}/cost-tracking/aggregate"),
                actor,
                json!({ "period": period }),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        res.json()
    }

    /// Every cost-tracking row of the client matching `query`, through every page.
    pub async fn cost_rows(&self, actor: &Actor, client: Uuid, query: &str) -> Vec<Value> {
        self.collect_pages(
            &format!("/api/v1/clients/{client}/cost-tracking?{query}"),
            actor,
            500,
        )
        .await
        .0
    }
}

/// The cost-tracking row of a product.
#[track_caller]
pub fn row_of(rows: &[Value], product: Uuid) -> &Value {
    rows.iter()
        .find(|r| r["product_id"] == product.to_string())
        .unwrap_or_else(|| panic!("no row for {product} in {rows:?}"))
}
