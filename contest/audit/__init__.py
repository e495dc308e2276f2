"""Who changed what, when: every organiser action that changes data leaves an entry."""
