"""Representativeness: gap analysis and fair selection for co-production panels.

A pure library: plain data in, frozen dataclasses out. It imports numpy, scipy and
pandas only (never Flask or SQLAlchemy), so it can be used on its own.
"""
