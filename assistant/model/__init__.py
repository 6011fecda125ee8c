"""The model seam: client, reply shapes, prompts, the embedded server and its weights."""
