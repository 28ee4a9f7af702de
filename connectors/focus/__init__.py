"""FOCUS 1.0–1.2 billing export import (AWS, Azure, GCP, OCI): a file, not an API."""
