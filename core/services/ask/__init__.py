"""Answering a question: execute a parsed question (`service`), its answer records (`types`),
budget and list answers, the organisation's vocabulary and the optional LLM reading (`llm`)."""
