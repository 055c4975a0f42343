"""Question detection, context assembly, talking points and LLM answer streaming. No Qt.

`pipeline.AnswerPipeline` is the entry point (built by `app.answer_wiring`); errors are the
small tree in `answers.errors` (AnswersError → ProviderError, ContextError).
"""
