//! No response identifies a participant; who may run and read what; bad input.

use axum::http::{Method, StatusCode};
use chrono::{Datelike, Months, Utc};
use serde_json::json;
use uuid::Uuid;

use super::{list, opt_in, participant, run_job, snapshots, this_month, view};
use crate::common::{ADMIN_TOKEN, TestApp, assert_invalid_fields};

#[tokio::test(flavor = "multi_thread")]
async fn no_aggregate_or_other_clients_view_names_a_participant() {
    let app = TestApp::new().await;
    let staff = app.operator().await;
    let month = this_month();
    // Names that cannot occur in a cohort name or a figure by chance.
    let mut peers = Vec::new();
    for (i, n) in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].into_iter().enumerate() {
        let name = format!("Qzx Peer {i} Wyv");
        let client = participant(&app, &staff, &name, "apparel", n).await;
        let user = app.client_user(client).await;
        let own = app
            .get_as(&super::participation_path(client), &user)
            .await
            .json();
        let anonymous_id = own["anonymous_id"].as_str().expect("anonymous").to_owned();
        peers.push((client, name, anonymous_id, user));
    }
    // A second cohort, and an outsider who does not participate.
    for i in 0..5 {
        participant(&app, &staff, &format!("Qzx Beauty {i} Wyv"), "beauty", 1).await;
    }
    let (outsider, outsider_user) = app.client_with_user("Qzx Outsider Wyv").await;
    snapshots(&app, &month).await;

    // Every response a reader can get about benchmarks.
    let admin = app.admin().await;
    let mut responses: Vec<(Option<Uuid>, String)> = Vec::new();
    for query in [
        String::new(),
        format!("period={month}"),
        "cohort=apparel/small".into(),
    ] {
        for actor in [&admin, &staff] {
            let res = app
                .get_as(&format!("/api/v1/benchmarks/snapshots?{query}"), actor)
                .await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text());
            responses.push((None, res.text()));
        }
    }
    let job = run_job(&app, &month).await;
    responses.push((None, job.text()));
    for (client, _, _, user) in &peers {
        let res = app.get_as("/api/v1/benchmarks/snapshots", user).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        assert_eq!(res.json()["data"].as_array().map(Vec::len), Some(1));
        responses.push((None, res.text()));
        let mine = view(&app, user, *client, &month).await;
        assert_eq!(mine["cohort_used"], "apparel/small");
        responses.push((Some(*client), mine.to_string()));
    }
    let theirs = view(&app, &outsider_user, outsider, &month).await;
    assert_eq!(theirs["reason"], "not_participating");
    responses.push((Some(outsider), theirs.to_string()));

    assert!(responses.len() > 15);
    for (client, name, anonymous_id, _) in &peers {
        for (owner, text) in &responses {
            if *owner == Some(*client) {
                continue;
            }
            for needle in [client.to_string(), name.clone(), anonymous_id.clone()] {
                assert!(
                    !text.contains(&needle),
                    "a response names participant {name}: {needle} in {text}"
                );
            }
        }
    }
    // Not even the exact participant count: 11 shows as a band.
    assert!(
        responses
            .iter()
            .all(|(_, t)| !t.contains("\"participants\":11"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn only_admins_run_the_job_and_client_users_read_only_their_own_cohort() {
    let app = TestApp::new().await;
    let staff = app.operator().await;
    let month = this_month();
    let mut apparel = Vec::new();
    for i in 0..5 {
        apparel.push(participant(&app, &staff, &format!("A {i}"), "apparel", 1).await);
        participant(&app, &staff, &format!("B {i}"), "beauty", 1).await;
    }
    let (outsider, outsider_user) = app.client_with_user("Outsider").await;
    let user = app.client_user(apparel[0]).await;
    for actor in [&user, &staff, &outsider_user] {
        let res = app
            .post(
                "/api/v1/admin/benchmarks/snapshots",
                actor,
                json!({ "period": month }),
            )
            .await;
        res.assert_problem(StatusCode::FORBIDDEN);
    }
    let none: i64 = count_snapshots(&app).await;
    assert_eq!(none, 0);
    // An admin user may run it, as the admin token may.
    let admin = app.admin().await;
    let res = app
        .post(
            "/api/v1/admin/benchmarks/snapshots",
            &admin,
            json!({ "period": month }),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());

    // The client user sees its own cohort only; another cohort is not found.
    let own = list(&app, &user, "").await;
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["cohort"], "apparel/small");
    assert_eq!(list(&app, &user, "cohort=apparel/small").await.len(), 1);
    for other in ["beauty/small", "nobody/small"] {
        app.get_as(
            &format!("/api/v1/benchmarks/snapshots?cohort={other}"),
            &user,
        )
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    }
    // Give to get: a client that does not participate reads no aggregates.
    app.get_as("/api/v1/benchmarks/snapshots", &outsider_user)
        .await
        .assert_problem(StatusCode::FORBIDDEN);
    opt_in(&app, &staff, outsider, json!({"is_participating": false})).await;
    app.get_as("/api/v1/benchmarks/snapshots", &outsider_user)
        .await
        .assert_problem(StatusCode::FORBIDDEN);
    // Staff see every cohort.
    assert_eq!(list(&app, &staff, "").await.len(), 2);
    // Without a token: 401.
    app.get("/api/v1/benchmarks/snapshots", None)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED);
}

async fn count_snapshots(app: &TestApp) -> i64 {
    app.db
        .client()
        .await
        .query_one(
            "SELECT (SELECT count(*) FROM benchmark_snapshots) + (SELECT count(*) FROM benchmark_snapshot_runs)",
            &[],
        )
        .await
        .expect("count")
        .get(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_or_future_period_is_a_422_and_writes_nothing() {
    let app = TestApp::new().await;
    let staff = app.operator().await;
    for i in 0..5 {
        participant(&app, &staff, &format!("P {i}"), "apparel", 1).await;
    }
    let today = Utc::now().date_naive();
    let next = today
        .with_day(1)
        .and_then(|d| d.checked_add_months(Months::new(1)))
        .expect("next month")
        .format("%Y-%m")
        .to_string();
    let (client, user) = app.client_with_user("Viewer").await;
    for bad in [
        "2025-13",
        "2025-3",
        "2025/03",
        "",
        "march",
        "2025-03-01",
        &next,
    ] {
        let res = app
            .request(
                Method::POST,
                "/api/v1/admin/benchmarks/snapshots",
                Some(ADMIN_TOKEN),
                Some(json!({ "period": bad })),
            )
            .await;
        assert_invalid_fields(&res, &["period"]);
        let encoded: String = form_urlencoded::byte_serialize(bad.as_bytes()).collect();
        let res = app
            .get_as(
                &format!("/api/v1/clients/{client}/benchmark?period={encoded}"),
                &user,
            )
            .await;
        assert_invalid_fields(&res, &["period"]);
        let res = app
            .get_as(
                &format!("/api/v1/benchmarks/snapshots?period={encoded}"),
                &staff,
            )
            .await;
        assert_invalid_fields(&res, &["period"]);
    }
    let res = app
        .request(
            Method::POST,
            "/api/v1/admin/benchmarks/snapshots",
            Some(ADMIN_TOKEN),
            Some(json!({})),
        )
        .await;
    assert!(res.status.is_client_error(), "{res:?}");
    assert_eq!(count_snapshots(&app).await, 0);
    // Without ?period the view is the last complete month.
    let res = app
        .get_as(&format!("/api/v1/clients/{client}/benchmark"), &user)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let last = today
        .with_day(1)
        .and_then(|d| d.checked_sub_months(Months::new(1)))
        .expect("last month");
    assert_eq!(res.json()["period"], last.format("%Y-%m").to_string());
}
