"""Pages a state uses to draft its report beyond the forms: the cover page's point of
contact and the attachments."""
