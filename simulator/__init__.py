"""Stand-ins for the villages: servers that answer as village systems do, with made-up data.

Servers:
- simulator.villages: the village simulator (Simulator, serve_forever) with both routes below
  and the fault modes of simulator.faults
- simulator.summary: the village-summary v1 route (our pull contract)
- simulator.opensid: OpenSID 2508's internal_api, as the real system answers
- simulator.gabungan: the API Database Gabungan (one shared database for many villages)
- simulator.http: the HTTP plumbing they share

Data (one deterministic record per village and year, simulator.synthetic):
- simulator.population, .statistics, .programmes, .projects, .wilayah, .apbdes, built with
  simulator.numbers and held in simulator.records
- simulator.people: fake residents for the rows real OpenSID fills with personal data
- simulator.spreadsheets: demo health and education spreadsheets

Nothing under collectors/ imports this package: collection talks to villages, whoever they are.
`python -m simulator` serves a registry's villages (as `dasbor simulate` does).
"""
