"""Dash pages of ClinicOps, each registering itself with ``dash.register_page``."""
