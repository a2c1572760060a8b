"""The translation-and-format layer (issue 9): every user-facing text from the gettext
catalogues in `i18n/locale/` (`catalogue`), numbers, dates and months by Babel's CLDR data
for the page's language (`format`), and the failure reasons in words (`reasons`).

It sits below `layouts/` and `dashboard/` and imports nothing of ours but `config/`.
"""
