use crate::error::{backend, row_exists};
use crate::SqliteStore;
use async_trait::async_trait;
use talkchannel_domain::consent::Requirement;
use talkchannel_domain::{AppId, Entity};
use talkchannel_store::{requirement_from_db, ConsentStore, StoreError, StoreResult};

#[async_trait]
impl ConsentStore for SqliteStore {
    async fn consent_settings(&self, app: AppId) -> StoreResult<Vec<(String, Requirement)>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT scope, requirement FROM app_consent_items WHERE app_id = ? ORDER BY scope",
        )
        .bind(app)
        .fetch_all(&self.reader)
        .await
        .map_err(backend)?;
        rows.into_iter()
            .map(|(scope, r)| Ok((scope, requirement_from_db(&r)?)))
            .collect()
    }

    async fn set_consent_settings(
        &self,
        app: AppId,
        settings: &[(&str, Requirement)],
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        if !row_exists(&mut tx, "apps", app).await? {
            return Err(StoreError::NotFound(Entity::App));
        }
        sqlx::query("DELETE FROM app_consent_items WHERE app_id = ?")
            .bind(app)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        for (scope, requirement) in settings {
            sqlx::query(
                "INSERT INTO app_consent_items (app_id, scope, requirement) VALUES (?, ?, ?)",
            )
            .bind(app)
            .bind(scope)
            .bind(requirement.as_str())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)
    }
}
