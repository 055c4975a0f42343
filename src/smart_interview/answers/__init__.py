"""Question detection, context assembly, talking points and LLM answer streaming. No Qt."""
