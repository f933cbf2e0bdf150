//! Finding a register location by its exact address, for the public "is this address
//! certified?" lookup. Only an exact match answers: there is no way to list addresses.

use crate::{Location, Store, StoreError};
use flexwonen_core::access::LocationScope;
use flexwonen_core::address::{Address, Postcode};

impl Store {
    /// The location at exactly this address (letter and addition compared without case, as
    /// addresses are kept unique), if the register has one.
    pub async fn location_at_address(
        &self,
        postcode: &Postcode,
        house_number: i64,
        house_letter: Option<&str>,
        house_addition: Option<&str>,
    ) -> Result<Option<Location>, StoreError> {
        // `Address::key` is what the unique `address_key` column holds.
        let key = Address {
            postcode: postcode.clone(),
            house_number,
            house_letter: house_letter.map(str::to_string),
            house_addition: house_addition.map(str::to_string),
            street: String::new(),
            place: String::new(),
        }
        .key();
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM locations WHERE address_key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        match id {
            None => Ok(None),
            Some(id) => match self.location(&LocationScope::All, id).await {
                Ok(l) => Ok(Some(l)),
                // Removed between the two reads: not in the register.
                Err(StoreError::NotFound) => Ok(None),
                Err(e) => Err(e),
            },
        }
    }
}
