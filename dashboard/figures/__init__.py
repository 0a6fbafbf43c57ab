"""Figure builders: pure functions from query rows (pandas DataFrames) to plotly figures.

Presentation layer. Nothing here touches the database, Dash callbacks or the request: every
builder takes tidy rows from ``data_access.queries`` plus display options and returns the
figure as a plain dict (``common.Figure``), so each chart can be tested as a plain function.
"""
