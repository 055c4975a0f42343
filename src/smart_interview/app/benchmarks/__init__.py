"""Helpers for the `smart-interview bench` commands that ship with the app.

`llm_server` is a local HTTP server on 127.0.0.1 that speaks the OpenAI Chat Completions and
Anthropic Messages streaming wire formats (errors included), so the answer benchmark measures
the app's own latency without a paid cloud model. The tests use the same server.
"""
