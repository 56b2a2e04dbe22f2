"""Import from the ledgers staff keep (花名册, 台账): read, validate, pseudonymise, merge, swap in."""
