#!/usr/bin/env bash
# Creates, once per environment, the secrets a person provides (infra/README.md, step 2), and
# prints the lines infra/samconfig.toml needs. Existing secrets are left as they are.
#   portal/<env>/session-keys  SESSION_KEYS, "k<yyyymm>:<64 hex characters>" (first signs, all verify)
#   portal/<env>/mfa-secret    MFA_SECRET, 64 hex characters: seals the authenticators enrolled,
#                              so it is never rotated without every user enrolling again
#   portal/<env>/smtp          {"username": …, "password": …}: the SES SMTP credentials
# Usage: infra/bootstrap-secrets.sh dev|prod   (asks for the SMTP credentials; needs the AWS CLI)
set -euo pipefail
env_name="${1:-}"
[[ "$env_name" == dev || "$env_name" == prod ]] || { echo "usage: $0 dev|prod" >&2; exit 1; }
command -v aws >/dev/null || { echo "the AWS CLI is not installed" >&2; exit 1; }

arn_of() { aws secretsmanager describe-secret --secret-id "$1" --query ARN --output text 2>/dev/null || true; }
create() {
  local name="$1" value="$2" description="$3" arn
  arn="$(arn_of "$name")"
  if [[ -z "$arn" || "$arn" == None ]]; then
    arn="$(aws secretsmanager create-secret --name "$name" --description "$description" \
      --secret-string "$value" --query ARN --output text)"
    echo "created $name" >&2
  else
    echo "kept $name (exists)" >&2
  fi
  echo "$arn"
}
hex() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }

keys_arn="$(create "portal/$env_name/session-keys" "k$(date +%Y%m):$(hex)" "portal $env_name: SESSION_KEYS")"
mfa_arn="$(create "portal/$env_name/mfa-secret" "$(hex)" "portal $env_name: MFA_SECRET (never rotate)")"
smtp_arn="$(arn_of "portal/$env_name/smtp")"
if [[ -z "$smtp_arn" || "$smtp_arn" == None ]]; then
  read -r -p "SES SMTP username: " smtp_user
  read -r -s -p "SES SMTP password: " smtp_password; echo >&2
  smtp_json="$(python3 -c 'import json, sys; print(json.dumps({"username": sys.argv[1], "password": sys.argv[2]}))' "$smtp_user" "$smtp_password")"
  smtp_arn="$(create "portal/$env_name/smtp" "$smtp_json" "portal $env_name: SMTP credentials")"
fi
cat <<LINES
In infra/samconfig.toml, [$env_name.deploy.parameters] parameter_overrides:
  "SessionKeysSecretArn=$keys_arn",
  "MfaSecretArn=$mfa_arn",
  "SmtpCredentialsSecretArn=$smtp_arn",
LINES
