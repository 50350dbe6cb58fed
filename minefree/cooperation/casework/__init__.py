"""The committee's casework: individualised approach cases and their follow-up actions
(``cases``), national platforms and bilateral meetings (``platforms``), what the pages read
of them (``selectors``), the committee's workspace and the cases sources record
(``reference_cases``)."""
