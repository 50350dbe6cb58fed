"""Form specification and validation: what Forms A–J hold, how rows are read and
checked (``schema``, ``content``, ``validation``)."""
