"""Read-only query functions, one module per domain; each returns tidy pandas DataFrames.

Data-access layer. Every function takes keyword-only ``conn``, ``filters`` and ``scope``,
aggregates in SQL with bound parameters, never commits, and knows nothing about Dash. The
numbers follow the "Derived figures" of the data contract exactly.
"""
