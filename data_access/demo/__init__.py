"""Demo data: a synthetic rural clinic network to explore the dashboard without real data.

Data-access layer. ``generate_demo`` draws a realistic, deterministic network (clinics,
procedures, follow-ups, adverse events with one or two clinics drifting upward, referrals) in
the contract's exchange format; ``write_demo_csv`` writes it as a contract batch and
``load_demo`` bulk-inserts it into empty tables on the caller's connection.
"""

from data_access.demo.batch import DemoBatch
from data_access.demo.csv_files import write_demo_csv
from data_access.demo.generate import DEFAULT_SEED, generate_demo
from data_access.demo.load import DemoTablesNotEmpty, load_demo

__all__ = [
    "DEFAULT_SEED",
    "DemoBatch",
    "DemoTablesNotEmpty",
    "generate_demo",
    "load_demo",
    "write_demo_csv",
]
