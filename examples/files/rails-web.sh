#!/bin/bash
# First boot of a Rails web server: nginx in front of the app on port 3000.
set -euo pipefail
dnf install -y nginx
systemctl enable --now nginx
# Where the database is, filled in by the stack (${ref:...}). The password is not here:
# it stays in Secrets Manager, out of the instances' reach.
install -d -m 0755 /etc/rails
cat > /etc/rails/database.env <<ENV
DATABASE_HOST=${ref:databases.main.address}
DATABASE_PORT=${ref:databases.main.port}
RAILS_ENV=${RAILS_ENV:-production}
ENV
