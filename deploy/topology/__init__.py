"""The multi-replica topology as plain processes on loopback, and its checks.

Run it with ``scripts/topology-check`` (or ``python -m deploy.topology``). Never imported by the
API or the sync worker.
"""
