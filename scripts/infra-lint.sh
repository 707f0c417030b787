#!/usr/bin/env bash
# The AWS stack's checks, none of which needs an AWS account: cfn-lint and `sam validate --lint`
# on infra/template.yaml (both from PyPI, scripts/bootstrap.sh), the deploy hooks' tests
# (infra/hooks, with stand-ins for Lambda, S3 and CodeDeploy), and each environment's database
# connection budget in infra/samconfig.toml (infra/checks/connection_budget.py).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
aws_tools_path
command -v cfn-lint >/dev/null || die "cfn-lint is not installed: run scripts/bootstrap.sh"
cfn-lint infra/template.yaml
log "cfn-lint: infra/template.yaml clean"
(cd infra && sam validate --lint --template template.yaml --region eu-west-2 >/dev/null)
log "sam validate --lint: infra/template.yaml valid"
(cd infra/hooks && "$AWS_VENV/bin/python" -m unittest -q test_deploy_hooks 2>&1 | tail -3)
"$AWS_VENV/bin/python" infra/checks/connection_budget.py infra/samconfig.toml
