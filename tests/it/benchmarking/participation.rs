//! Opting in and out: timestamps, the cohort from industry and size band, band edges, the
//! client's own anonymous id.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{opt_in, participation_path, put_participation, snapshots, this_month};
use crate::common::{TestApp, assert_invalid_fields, builders::NewClient};

async fn current(app: &TestApp, actor: &crate::common::Actor, client: uuid::Uuid) -> Value {
    let res = app.get_as(&participation_path(client), actor).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()
}

#[tokio::test(flavor = "multi_thread")]
async fn clients_start_out_and_opting_in_and_out_stamps_each_change() {
    let app = TestApp::new().await;
    let (client, user) = app.client_with_user("Northwind").await;
    let start = current(&app, &user, client).await;
    assert_eq!(start["is_participating"], false);
    assert_eq!(start["anonymous_id"], json!(null));
    assert_eq!(start["cohort"], json!(null));

    // The client's own user opts in; industry from the client (apparel), band derived.
    let joined = opt_in(&app, &user, client, json!({"is_participating": true})).await;
    assert_eq!(joined["is_participating"], true);
    assert_eq!(joined["industry"], "apparel");
    assert_eq!(joined["size_band"], "small");
    assert_eq!(joined["size_band_derived"], true);
    assert_eq!(joined["cohort"], "apparel/small");
    assert!(joined["opted_in_at"].is_string());
    assert_eq!(joined["opted_out_at"], json!(null));
    let anonymous_id = joined["anonymous_id"]
        .as_str()
        .expect("anonymous_id")
        .to_owned();
    assert_eq!(current(&app, &user, client).await, joined);

    // Staff opt it out: opted_out_at stamped, opted_in_at kept, the pseudonym stays.
    let staff = app.operator().await;
    let left = opt_in(&app, &staff, client, json!({"is_participating": false})).await;
    assert_eq!(left["is_participating"], false);
    assert!(left["opted_out_at"].is_string());
    assert_eq!(left["opted_in_at"], joined["opted_in_at"]);
    assert_eq!(left["anonymous_id"], anonymous_id.as_str());
    // Saying it again changes no stamp.
    let again = opt_in(&app, &staff, client, json!({"is_participating": false})).await;
    assert_eq!(again["opted_out_at"], left["opted_out_at"]);
    // Back in: a new opted_in_at.
    let back = opt_in(&app, &user, client, json!({"is_participating": true})).await;
    assert_ne!(back["opted_in_at"], joined["opted_in_at"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cohort_is_the_industry_slug_and_the_size_band() {
    let app = TestApp::new().await;
    let staff = app.operator().await;
    let client = app.insert_client("Garden Co").await;
    let p = opt_in(
        &app,
        &staff,
        client,
        json!({"is_participating": true, "industry": "  Home & Garden ", "size_band": "large"}),
    )
    .await;
    assert_eq!(p["industry"], "Home & Garden");
    assert_eq!(p["cohort"], "home-garden/large");
    assert_eq!(p["size_band_derived"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_derived_band_counts_active_skus_and_follows_the_client_before_each_run() {
    let app = TestApp::new().await;
    let staff = app.operator().await;
    let client = app.insert_client("Growing Co").await;
    for i in 0..100 {
        app.insert_product(client, &format!("SKU-{i:03}")).await;
    }
    // 100 active SKUs: medium. One archived: 99, small.
    let p = opt_in(&app, &staff, client, json!({"is_participating": true})).await;
    assert_eq!(p["cohort"], "apparel/medium");
    app.db
        .execute(&format!(
            "UPDATE products SET archived_at = now() WHERE client_id = '{client}' AND sku = 'SKU-000'"
        ))
        .await;
    let p = opt_in(&app, &staff, client, json!({"is_participating": true})).await;
    assert_eq!(p["cohort"], "apparel/small");
    // Unarchived again: the next snapshot run re-derives the band.
    app.db
        .execute(&format!(
            "UPDATE products SET archived_at = NULL WHERE client_id = '{client}'"
        ))
        .await;
    snapshots(&app, &this_month()).await;
    assert_eq!(
        current(&app, &staff, client).await["cohort"],
        "apparel/medium"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_participation_input_is_a_422_naming_the_field_and_writes_nothing() {
    let app = TestApp::new().await;
    let (client, user) = app.client_with_user("Strict Co").await;
    for (body, field) in [
        (json!({}), "is_participating"),
        (
            json!({"is_participating": true, "size_band": "huge"}),
            "size_band",
        ),
        (
            json!({"is_participating": true, "industry": "x".repeat(101)}),
            "industry",
        ),
        (
            json!({"is_participating": true, "industry": "!!!"}),
            "industry",
        ),
    ] {
        let res = put_participation(&app, &user, client, body.clone()).await;
        assert_invalid_fields(&res, &[field]);
        assert!(res.json()["detail"].is_string(), "{body}");
    }
    let res = put_participation(&app, &user, client, json!({"is_participating": "yes"})).await;
    assert!(res.status.is_client_error(), "{res:?}");
    assert_eq!(
        current(&app, &user, client).await["anonymous_id"],
        json!(null)
    );
    // 100 characters is fine.
    let ok = put_participation(
        &app,
        &user,
        client,
        json!({"is_participating": false, "industry": "y".repeat(100)}),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());

    // A client without an industry must name one to opt in (opting out needs none).
    let bare = app.insert(NewClient::named("Bare").industry(None)).await;
    let staff = app.operator().await;
    let res = put_participation(&app, &staff, bare, json!({"is_participating": true})).await;
    assert_invalid_fields(&res, &["industry"]);
    assert_eq!(
        current(&app, &staff, bare).await["anonymous_id"],
        json!(null)
    );
    let res = put_participation(&app, &staff, bare, json!({"is_participating": false})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["cohort"], json!(null));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_user_sets_only_its_own_participation() {
    let app = TestApp::new().await;
    let (a, _) = app.client_with_user("A Co").await;
    let (_, intruder) = app.client_with_user("B Co").await;
    let res = put_participation(&app, &intruder, a, json!({"is_participating": true})).await;
    res.assert_problem(StatusCode::NOT_FOUND);
    let staff = app.operator().await;
    assert_eq!(current(&app, &staff, a).await["is_participating"], false);
}
