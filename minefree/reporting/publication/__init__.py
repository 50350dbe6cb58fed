"""What is published from submitted reports: open data, the compliance dashboard and
field-level completeness, and the comparison of two versions."""
