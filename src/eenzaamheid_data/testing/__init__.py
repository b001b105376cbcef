"""Test and demo support: local replicas of the CBS OData v3 feed and PDOK, and builders of source-shaped data."""
