"""The HTTP edges of the boards: public JSON (``api``) and pages (``pages``), the organiser's pages
(``organiser_pages``, ``export_pages``) and live JSON (``organiser_api``)."""
