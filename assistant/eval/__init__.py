"""`paperchat eval`: quality on a question set (needs the `eval` extra)."""
