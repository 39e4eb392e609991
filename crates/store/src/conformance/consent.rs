use super::fixtures::*;
use crate::Store;
use talkchannel_domain::consent::Requirement;
use talkchannel_domain::Entity;

/// Consent settings round-trip in item order, are replaced whole, are per app, and an
/// unknown app has none (and cannot be given any).
pub async fn consent_settings_are_replaced_per_app(store: &dyn Store) {
    let app = new_app(store).await;
    let other = new_app(store).await;
    assert!(store.consent_settings(app.id).await.unwrap().is_empty());
    let first = [
        ("profile_nickname", Requirement::Required),
        ("account_email", Requirement::Disabled),
    ];
    store.set_consent_settings(app.id, &first).await.unwrap();
    store
        .set_consent_settings(other.id, &[("gender", Requirement::Required)])
        .await
        .unwrap();
    assert_eq!(
        store.consent_settings(app.id).await.unwrap(),
        [
            ("account_email".to_owned(), Requirement::Disabled),
            ("profile_nickname".to_owned(), Requirement::Required),
        ]
    );
    store
        .set_consent_settings(app.id, &[("plusfriends", Requirement::Optional)])
        .await
        .unwrap();
    assert_eq!(
        store.consent_settings(app.id).await.unwrap(),
        [("plusfriends".to_owned(), Requirement::Optional)],
        "replaced whole"
    );
    assert_eq!(
        store.consent_settings(other.id).await.unwrap(),
        [("gender".to_owned(), Requirement::Required)]
    );
    store.set_consent_settings(app.id, &[]).await.unwrap();
    assert!(store.consent_settings(app.id).await.unwrap().is_empty());
    assert_not_found(
        store
            .set_consent_settings(999_999, &[("gender", Requirement::Required)])
            .await,
        Entity::App,
        "settings for an unknown app",
    );
    assert!(store.consent_settings(999_999).await.unwrap().is_empty());
}
