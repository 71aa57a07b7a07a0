//! Tag vocabularies.

use diesel::prelude::*;

use super::schema::vocabularies;
use super::{StoreResult, Tx, map_err};

/// A stored vocabulary.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = vocabularies)]
pub struct VocabularyRow {
    pub id: String,
    pub name: String,
}

/// Inserts a vocabulary.
pub fn insert(tx: &mut Tx, row: &VocabularyRow) -> StoreResult<()> {
    map_err(diesel::insert_into(vocabularies::table).values(row).execute(tx)).map(|_| ())
}

/// Finds a vocabulary by id, then by name.
pub fn find(tx: &mut Tx, id_or_name: &str) -> StoreResult<Option<VocabularyRow>> {
    let by_id = map_err(vocabularies::table.find(id_or_name).select(VocabularyRow::as_select()).first(tx).optional())?;
    if by_id.is_some() {
        return Ok(by_id);
    }
    map_err(
        vocabularies::table
            .filter(vocabularies::name.eq(id_or_name))
            .select(VocabularyRow::as_select())
            .first(tx)
            .optional(),
    )
}

/// Returns every vocabulary by name.
pub fn all(tx: &mut Tx) -> StoreResult<Vec<VocabularyRow>> {
    map_err(vocabularies::table.order(vocabularies::name).select(VocabularyRow::as_select()).load(tx))
}

/// Deletes a vocabulary.
pub fn delete(tx: &mut Tx, id: &str) -> StoreResult<()> {
    map_err(diesel::delete(vocabularies::table.find(id)).execute(tx)).map(|_| ())
}
