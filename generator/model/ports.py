"""Ports that checks and renderers agree on."""

from __future__ import annotations

#: Ports of the data sections that ``allow_from`` opens.
ENGINE_PORTS = {"mysql": 3306, "mariadb": 3306, "postgres": 5432, "redis": 6379, "valkey": 6379}
NFS_PORT = 2049
SSH_PORT = 22
#: The ephemeral range ECS gives dynamic host ports from.
DYNAMIC_PORTS = (32768, 61000)
