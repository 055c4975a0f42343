"""Composition root: settings, paths, wiring of the engines, command-line entry points."""
