#!/usr/bin/env bash
# Deploys one environment to AWS (infra/README.md): needs the AWS CLI and credentials for the
# account, and infra/samconfig.toml filled in for that environment.
#   scripts/deploy.sh dev|prod [--no-build]
# 1. scripts/package.sh (unless --no-build): zips and static files in target/package;
# 2. uploads the static files to the stack's static bucket, long-cached, never deleting the
#    files of earlier versions (a page of the old version may still be open, or served by the
#    old version during the canary);
# 3. sam deploy: CodeDeploy shifts traffic to the new version in a canary after the pre-traffic
#    hook migrated the database and checked the new version; alarms roll it back;
# 4. on the stack's first deploy (no traffic shifting, so no hooks), uploads the static files
#    (the bucket did not exist before) and runs the migrate function by hand.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
aws_tools_path
env_name="${1:-}"
[[ "$env_name" == dev || "$env_name" == prod ]] || die "usage: scripts/deploy.sh dev|prod [--no-build]"
build=1
[[ "${2:-}" == "--no-build" ]] && build=0
command -v aws >/dev/null || die "the AWS CLI is not installed (https://docs.aws.amazon.com/cli/)"
stack="portal-$env_name"

if ((build)); then "$ROOT/scripts/package.sh"; fi
[[ -f target/package/portal.zip && -f target/package/jobs.zip ]] || die "run scripts/package.sh first"
arch="$(sed -n 's/^architecture: \([a-z0-9_]*\).*/\1/p' target/package/manifest.txt)"

output() {
  aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text 2>/dev/null || true
}

# Long-lived, immutable caching for content-hashed files (a name that changes with the content);
# an hour for the rest. Content types that browsers insist on are set explicitly.
upload_static() {
  local bucket="$1" f key type cache
  log "uploading the static files to s3://$bucket (nothing deleted)"
  while IFS= read -r -d '' f; do
    key="${f#target/package/static/}"
    case "$key" in
      *.wasm) type=application/wasm ;;
      *.js) type="text/javascript; charset=utf-8" ;;
      *.css) type="text/css; charset=utf-8" ;;
      *.svg) type=image/svg+xml ;;
      *.json) type=application/json ;;
      *.txt) type="text/plain; charset=utf-8" ;;
      *) type=application/octet-stream ;;
    esac
    # A hashed name: a run of 8+ hex or base64url characters between dots (ic-portal.1a2b3c4d.js).
    if [[ "$(basename "$key")" =~ \.[A-Za-z0-9_-]{8,}\.[a-z0-9]+(\.(br|gz))?$ ]]; then
      cache="public, max-age=31536000, immutable"
    else
      cache="public, max-age=3600"
    fi
    aws s3 cp --only-show-errors "$f" "s3://$bucket/$key" --content-type "$type" --cache-control "$cache"
  done < <(find target/package/static -type f -print0)
}

bucket="$(output StaticBucketName)"
first_deploy=0
if [[ -z "$bucket" || "$bucket" == None ]]; then first_deploy=1; else upload_static "$bucket"; fi

# The template's Architecture must be the one the functions were built for.
configured="$(python3 -c 'import sys, tomllib
p = tomllib.load(open("infra/samconfig.toml", "rb"))[sys.argv[1]]["deploy"]["parameters"]["parameter_overrides"]
print(dict(o.split("=", 1) for o in p).get("Architecture", "arm64"))' "$env_name")"
[[ "$configured" == "$arch" ]] \
  || die "the package is built for $arch but infra/samconfig.toml deploys $env_name as $configured: set Architecture=$arch there"

(cd infra && sam deploy --config-file samconfig.toml --config-env "$env_name")

if ((first_deploy)); then
  upload_static "$(output StaticBucketName)"
  fn="$(output MigrateFunctionName)"
  log "first deploy: running $fn (migrations and the portal's database logins)"
  aws lambda invoke --function-name "$fn" --cli-binary-format raw-in-base64-out --payload '{}' \
    target/package/migrate-result.json >/dev/null
  cat target/package/migrate-result.json
fi
log "deployed $stack: $(output PortalUrl)"
