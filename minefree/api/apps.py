from minefree.core import appconfig


class ApiConfig(appconfig.MinefreeApp):
    name = "minefree.api"
    verbose_name = "API"
