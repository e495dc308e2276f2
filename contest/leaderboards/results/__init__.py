"""What organisers do with a round's results: the final ranking, freezing the public boards, publishing versions
(and correcting them), and the ranking settings (tie-break order, a contest's aggregate). Each action is one
audited unit of work, committed before the boards it affects are rebuilt."""
