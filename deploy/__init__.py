"""Deployment files (Dockerfile, docker-compose.yml, nginx) and the topology check."""
