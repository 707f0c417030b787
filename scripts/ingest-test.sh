#!/usr/bin/env bash
# The S3 ingest (server/src/ingest.rs, feature `aws`) against a local S3 server (moto, scripts/s3.sh)
# and the project's Postgres: clippy for the jobs binary and the ingest tests, then the tests
# (server/tests/ingest.rs: real S3 and SQS event JSON, objects read through the AWS SDK).
# scripts/test.sh runs this as one phase; alone: ./scripts/ingest-test.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/pg.sh"
source "$ROOT/scripts/s3.sh"
cd "$ROOT"
aws_tools_path
trap 's3_stop_if_ours; pg_stop_if_ours' EXIT
pg_start
s3_start
export SQLX_OFFLINE=true
cargo clippy -q -p server --features aws --bin jobs --test ingest -- -D warnings
cargo test -q -p server --features aws --test ingest
