"""PySide6 widgets and the thin QObject workers that run the engines on QThreads."""
