"""Needs and offers matched into partnerships: the scores and the reasons given for them
(``matching``). The writes of needs, offers and partnerships are the app's ``services``."""
