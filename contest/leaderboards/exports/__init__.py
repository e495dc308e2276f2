"""Organiser exports of a round: the rows of each export and their CSV/XLSX writers (``rows``), and the jobs that
write them away from the request (``jobs``)."""
