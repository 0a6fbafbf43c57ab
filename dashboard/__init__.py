"""ClinicOps dashboard: the Dash application, its pages and panels, and the command line.

Presentation layer. It reads data only through :mod:`data_access`.
"""
