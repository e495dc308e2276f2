"""Pure code of the boards: ranking keys, their exact encoding for a sorted set, and what the public sees of each
round (cut-offs). No database session, no store, no Flask."""
