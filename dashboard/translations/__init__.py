"""Per-page translation modules: each defines ID and EN dicts of its own keys (prefixed by its
page), merged into dashboard.i18n.CATALOGUE. A key defined twice is an error."""
