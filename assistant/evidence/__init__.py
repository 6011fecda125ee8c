"""Evidence: compression, relevance selection, corpus facts and the grounding checks."""
