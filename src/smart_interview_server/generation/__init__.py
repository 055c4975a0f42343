"""CV summaries and dossiers: AI providers (OpenAI, Anthropic), the non-AI methods, the worker."""
