"""Component ids of the app's shell, a contract between the shell and the pages' callbacks
(the filter bar writes the view's query string into ID_SEARCH; the nav links read it)."""

ID_LOCATION = "app-location"
ID_SEARCH = "app-search"  # the query string of the current view, carried by the nav links
NAV_LINK = "app-nav"  # pattern-matching id type: {"type": NAV_LINK, "path": <relative path>}
ID_BAHASA = "app-bahasa"  # the language switch; its links are f"{ID_BAHASA}-{lang}"
