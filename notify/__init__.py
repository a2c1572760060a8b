"""Alerts that find the operator (issue 13): recipients, messages, the e-mail and Telegram
channels, and the check the scheduler process runs after each sweep and on the digest cron.

Above aggregates (the rules), i18n (the words) and warehouse (state and send log); only the
scheduler process and the CLI call it, never a web worker.
"""
