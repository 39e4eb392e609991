//! Per-app consent items (the developer console's 동의항목) through the control API, the
//! consent page and the code they yield: required items cannot be left out, optional ones
//! can, disabled ones cannot be asked for, and a later `scope` adds to what was granted.

use crate::kauth_authorize::{
    agree, authorize_path, code_of, login_setup, sign_in_through, token, CALLBACK,
};
use reqwest::Method;
use serde_json::{json, Value};
use talkchannel_testkit::{on_both_engines, AppFixture, Browser, Page, TestServer};

on_both_engines!(
    consent_items_are_set_whole_and_checked,
    the_consent_page_follows_the_items_and_additional_consent_adds,
);

async fn consent_items_are_set_whole_and_checked(s: TestServer) {
    let app = s.create_app("Shop").await;
    let path = format!("/apps/{}/consent-items", app.id);
    let items = s.control_ok(Method::GET, &path, None).await["consent_items"].clone();
    let all = items.as_object().unwrap();
    assert_eq!(all.len(), 9, "{items}");
    assert!(
        all.values().all(|v| v == "optional"),
        "the default: {items}"
    );

    let set =
        json!({"consent_items": {"profile_nickname": "required", "phone_number": "disabled"}});
    let after = s.control_ok(Method::PUT, &path, Some(set)).await;
    assert_eq!(after["consent_items"]["profile_nickname"], "required");
    assert_eq!(after["consent_items"]["phone_number"], "disabled");
    assert_eq!(after["consent_items"]["account_email"], "optional");
    assert_eq!(s.control_ok(Method::GET, &path, None).await, after);

    for bad in [
        json!({"consent_items": {"nickname": "required"}}),
        json!({"consent_items": {"gender": "mandatory"}}),
        json!({"consent_items": ["gender"]}),
        json!({"items": {}}),
    ] {
        s.control(Method::PUT, &path, Some(bad.clone()))
            .await
            .assert_control_error(400, "invalid_request");
    }
    assert_eq!(
        s.control_ok(Method::GET, &path, None).await,
        after,
        "unchanged"
    );
    s.control(Method::GET, "/apps/999999/consent-items", None)
        .await
        .assert_control_error(404, "not_found");
    // PUT replaces: what is left out goes back to the default.
    let reset = s
        .control_ok(Method::PUT, &path, Some(json!({"consent_items": {}})))
        .await;
    assert_eq!(reset["consent_items"]["profile_nickname"], "optional");
}

/// The consent form's fields, with `scope_item` exactly as listed.
async fn agree_with(b: &Browser, consent: &Page, items: &[&str]) -> Page {
    let ticked: Vec<(&str, &str)> = items.iter().map(|i| ("scope_item", *i)).collect();
    agree(b, consent, &ticked).await
}

/// Redeems a code and returns the token answer.
async fn redeem(s: &TestServer, app: &AppFixture, code: &str) -> Value {
    let reply = token(
        s,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &app.rest_api_key),
            ("redirect_uri", CALLBACK),
            ("code", code),
        ],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body
}

fn error_of(page: &Page) -> String {
    let url = url::Url::parse(page.location()).expect("a redirect to the app");
    url.query_pairs()
        .find(|(k, _)| k == "error")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no error in {url}"))
}

async fn the_consent_page_follows_the_items_and_additional_consent_adds(s: TestServer) {
    let (app, _) = login_setup(&s, "minji@example.com", "민지").await;
    let path = format!("/apps/{}/consent-items", app.id);
    let settings =
        json!({"consent_items": {"profile_nickname": "required", "phone_number": "disabled"}});
    s.control_ok(Method::PUT, &path, Some(settings)).await;
    let b = Browser::new(&s);

    // No `scope`: every item the app uses, the required one fixed.
    let consent = sign_in_through(
        &b,
        &authorize_path(&app.rest_api_key, ""),
        "minji@example.com",
    )
    .await;
    assert_eq!(consent.status, 200, "{}", consent.text);
    assert!(
        consent
            .text
            .contains(r#"<input type="hidden" name="scope_item" value="profile_nickname">"#),
        "{}",
        consent.text
    );
    assert!(
        consent
            .text
            .contains(r#"name="scope_item" value="account_email" checked"#),
        "{}",
        consent.text
    );
    assert!(
        !consent.text.contains("phone_number"),
        "disabled items are not asked"
    );
    assert!(consent.text.contains("필수") && consent.text.contains("선택"));

    // A form without the required item was not made by the page: refused, no link.
    let tampered = agree_with(&b, &consent, &["account_email"]).await;
    assert_eq!(error_of(&tampered), "invalid_request");
    let again = b.get(&authorize_path(&app.rest_api_key, "")).await;
    assert_eq!(
        again.status, 200,
        "still not linked: the consent page again"
    );

    // The required item and one optional one; the rest unticked.
    let code = code_of(
        &agree_with(&b, &again, &["profile_nickname", "account_email"]).await,
        None,
    );
    let tokens = redeem(&s, &app, &code).await;
    assert_eq!(tokens["scope"], "account_email profile_nickname");
    let bearer = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    let me = s
        .call(Method::GET, "/v2/user/me", Some(&bearer), None)
        .await;
    assert_eq!(me.body["properties"]["nickname"], "민지", "{}", me.text);
    assert_eq!(me.body["kakao_account"]["email"], "minji@example.com");
    assert_eq!(
        me.body["kakao_account"]["profile_image_needs_agreement"],
        true
    );

    // Linked, nothing required missing: no consent page, a code at once.
    code_of(&b.get(&authorize_path(&app.rest_api_key, "")).await, None);
    // Additional consent: only what `scope` names, added to what was granted.
    let more = b
        .get(&authorize_path(&app.rest_api_key, "&scope=gender"))
        .await;
    assert_eq!(more.status, 200, "{}", more.text);
    assert!(
        more.text.contains(r#"value="gender""#) && !more.text.contains(r#"value="account_email""#)
    );
    let code = code_of(&agree_with(&b, &more, &["gender"]).await, None);
    assert_eq!(
        redeem(&s, &app, &code).await["scope"],
        "account_email gender profile_nickname"
    );
    // A disabled or unknown item cannot be asked for (KOE205).
    for scope in ["phone_number", "nickname"] {
        let refused = b
            .get(&authorize_path(
                &app.rest_api_key,
                &format!("&scope={scope}"),
            ))
            .await;
        assert_eq!(error_of(&refused), "invalid_scope", "{scope}");
    }
    // An item made required later is asked for on the next login, alone.
    let settings =
        json!({"consent_items": {"profile_nickname": "required", "birthday": "required"}});
    s.control_ok(Method::PUT, &path, Some(settings)).await;
    let next = b.get(&authorize_path(&app.rest_api_key, "")).await;
    assert_eq!(next.status, 200, "{}", next.text);
    assert!(next
        .text
        .contains(r#"<input type="hidden" name="scope_item" value="birthday">"#));
    assert!(
        !next.text.contains(r#"value="profile_image""#),
        "declined optional items are not asked again"
    );
}
