"""Adapters per village system; each turns one village's answers into a VillagePull."""

from collectors.adapters import gabungan, opensid, summary_v1

PULLERS = {"summary-v1": summary_v1.pull, "opensid": opensid.pull, "gabungan": gabungan.pull}
