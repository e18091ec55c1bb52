"""The landing page, each role's start page, and the health check."""
