#!/bin/bash
# First boot of a Rails web server: nginx in front of the app on port 3000.
set -euo pipefail
dnf install -y nginx
systemctl enable --now nginx
