"""Plain data shared by the engines, the app and the UI (no behaviour, no I/O)."""
