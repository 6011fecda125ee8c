"""The jobs a user asks for: ask (pipeline), agent, summarize, bio, and routing."""
