"""Who may do what: the permissions of organisers and admins (``permissions``: one table of roles per action, the
checks and the SQL filters of a unit organiser's subtree) and the guards of organiser views (``guards``). Below
every package that guards a page or a command."""
