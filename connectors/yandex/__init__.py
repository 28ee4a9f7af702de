"""Yandex Cloud: IAM token (OAuth or service-account key), Billing REST, billing export CSV
from Object Storage (SigV4), Compute and VPC inventory. No gRPC."""
