"""Scaffolding several pages share: the finance pages' skeleton (`finance`), the health and
education pages' spec (`periods`). Pages import these, never each other."""
