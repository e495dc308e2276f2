"""Read services of the boards: a page of a board, unit rankings, entrants over time, and the names a public board
shows."""
