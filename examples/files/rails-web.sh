#!/bin/bash
# First boot of a Rails web server: nginx in front of the app on port 3000.
set -euo pipefail
dnf install -y nginx
systemctl enable --now nginx
# Where the database is, filled in by the stack (${ref:...}). The password stays in
# Secrets Manager: the app reads the secret with the instance role (permissions: database).
install -d -m 0755 /etc/rails
cat > /etc/rails/database.env <<ENV
DATABASE_HOST=${ref:databases.main.address}
DATABASE_PORT=${ref:databases.main.port}
DATABASE_SECRET_ARN=${ref:databases.main.secret_arn}
RAILS_ENV=${RAILS_ENV:-production}
ENV
