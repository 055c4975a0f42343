"""LLM providers that stream an answer over httpx: OpenAI Chat Completions (also any
OpenAI-compatible server: Ollama, LM Studio, llama.cpp, Groq, OpenRouter) and Anthropic
Messages. The app builds them with an `httpx.Client` and the key it read from the keyring."""
