"""Smart Interview backend: accounts, one CV per account, Interview Dossiers."""

__version__ = "0.1.0"
