"""Who may see what: scopes, accounts, login, lockout, sessions and the audit trail."""
