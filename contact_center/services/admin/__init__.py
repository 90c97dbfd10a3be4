"""Administration: the centre's configuration (queues, skills, teams, calendars, dispositions) as records
an admin edits through the API or as one file (``contact-center config``), every change audited."""
