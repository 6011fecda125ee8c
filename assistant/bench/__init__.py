"""`paperchat bench`: speed and memory, with the machine (needs the `eval` extra)."""
