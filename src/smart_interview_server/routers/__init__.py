"""One router per resource: health, auth, account, cv, dossiers."""
