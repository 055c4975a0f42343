"""Smart Interview backend: accounts, one CV per account, Interview Dossiers."""
