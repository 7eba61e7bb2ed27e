"""Real local servers (PostgreSQL, MongoDB, Redis, Typesense, S3) for development and tests."""

from learnhub.embedded.cluster import EmbeddedCluster, Ports, running_cluster
from learnhub.embedded.process import EmbeddedServerError

__all__ = ["EmbeddedCluster", "EmbeddedServerError", "Ports", "running_cluster"]
