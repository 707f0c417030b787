"""CodeDeploy lifecycle hooks of the portal's canary deploys (infra/template.yaml).

pre_traffic runs after the new portal version is published and before any traffic reaches it:
  1. invokes the migrate function (migrations, then the portal's database logins); a failure
     stops the deploy before the new version serves anyone;
  2. invokes the new version directly with API Gateway events: GET /healthz must answer 200 with
     the database "ok", GET /login (a read-only page) 200 with HTML;
  3. checks that every /pkg file that page names is in the static bucket, so the new HTML never
     points at a file that was not uploaded (scripts/deploy.sh uploads before `sam deploy`).
post_traffic runs once all traffic is on the new version: steps 2 and 3 through the live alias.
Each tells CodeDeploy Succeeded or Failed; CodeDeploy rolls back on Failed.

Only the standard library and boto3 (both in Lambda's Python runtime). Tested by
infra/hooks/test_deploy_hooks.py with stand-ins for the AWS clients.
"""

import base64
import gzip
import json
import os
import re
import time
import urllib.parse

_clients = {}


def client(name):
    """The boto3 client `name`, made once (tests put stand-ins in `_clients`)."""
    if name not in _clients:
        import boto3  # only on AWS: the tests never import it
        from botocore.config import Config

        # A migration may take minutes: wait for the function's answer (its own timeout is 15
        # minutes), and never send the same invocation twice.
        config = Config(read_timeout=880, connect_timeout=10, retries={"max_attempts": 0}) if name == "lambda" else None
        _clients[name] = boto3.client(name, config=config)
    return _clients[name]


def http_event(path, domain):
    """An API Gateway HTTP API (payload 2.0) event for GET `path`, as the portal receives them."""
    raw_path, _, query = path.partition("?")
    now = time.time()
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": query,
        "headers": {
            "host": domain,
            "x-forwarded-proto": "https",
            "accept": "text/html,application/json",
            "user-agent": "portal-deploy-hook",
        },
        "requestContext": {
            "accountId": "hook",
            "apiId": "hook",
            "domainName": domain,
            "domainPrefix": domain.split(".")[0],
            "http": {
                "method": "GET",
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "portal-deploy-hook",
            },
            "requestId": "deploy-hook-%d" % int(now * 1000),
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }


class CheckFailed(Exception):
    pass


def invoke_json(function, payload, qualifier=None):
    """Invokes `function` synchronously; its JSON answer, or CheckFailed on a function error."""
    args = {
        "FunctionName": function,
        "InvocationType": "RequestResponse",
        "Payload": json.dumps(payload).encode(),
    }
    if qualifier:
        args["Qualifier"] = qualifier
    response = client("lambda").invoke(**args)
    body = response["Payload"].read()
    if response.get("FunctionError"):
        raise CheckFailed("%s failed: %s" % (function, body[:2000].decode(errors="replace")))
    return json.loads(body or b"null")


def body_text(response):
    """The text of an API Gateway response (base64 and gzip undone)."""
    body = response.get("body") or ""
    raw = base64.b64decode(body) if response.get("isBase64Encoded") else body.encode()
    headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    if headers.get("content-encoding") == "gzip":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8", errors="replace")


def get(function, qualifier, path, domain):
    response = invoke_json(function, http_event(path, domain), qualifier)
    return response.get("statusCode"), body_text(response)


# /pkg files a page names: <link href>, <script src> and the module loader's arguments.
_ASSET = re.compile(r"""(?:href|src)=["']([^"']*/pkg/[^"']+)["']""")
_LOADER = re.compile(r"""\(\s*"([^"]*)"\s*,\s*"([^"]+)"\s*,\s*"([^"]+)"\s*,\s*"([^"]+)"\s*,""")


def asset_keys(html):
    """The S3 keys of the /pkg files `html` loads (origin stripped), sorted."""
    keys = set()
    for url in _ASSET.findall(html):
        keys.add(urllib.parse.urlparse(url).path.lstrip("/"))
    # Leptos's island loader: (root, pkg dir, JS name, WASM name, defer).
    for _root, pkg, js, wasm in _LOADER.findall(html):
        keys.add("%s/%s.js" % (pkg.strip("/"), js))
        keys.add("%s/%s.wasm" % (pkg.strip("/"), wasm))
    return sorted(keys)


def check_version(function, qualifier, domain, bucket):
    """The smoke checks of one version; returns what was checked, raises CheckFailed."""
    status, text = get(function, qualifier, "/healthz", domain)
    if status != 200:
        raise CheckFailed("/healthz answered %s: %s" % (status, text[:500]))
    try:
        database = json.loads(text).get("database")
    except ValueError:
        database = None
    if database != "ok":
        raise CheckFailed("/healthz: the database is not ok: %s" % text[:500])
    status, html = get(function, qualifier, "/login", domain)
    if status != 200 or "<html" not in html:
        raise CheckFailed("/login answered %s: %s" % (status, html[:500]))
    keys = asset_keys(html)
    if not keys:
        raise CheckFailed("/login names no /pkg file: is ASSET_ORIGIN set?")
    missing = []
    s3 = client("s3")
    for key in keys:
        try:
            s3.head_object(Bucket=bucket, Key=key)
        except Exception as e:  # botocore's ClientError: 404 or 403 for a missing object
            missing.append("%s (%s)" % (key, e))
    if missing:
        raise CheckFailed("static files the page names are not in s3://%s: %s" % (bucket, ", ".join(missing)))
    return {"healthz": "ok", "page": "/login", "static_files": keys}


def report(event, ok):
    client("codedeploy").put_lifecycle_event_hook_execution_status(
        deploymentId=event["DeploymentId"],
        lifecycleEventHookExecutionId=event["LifecycleEventHookExecutionId"],
        status="Succeeded" if ok else "Failed",
    )


def run(event, steps):
    try:
        done = steps()
        print(json.dumps({"hook": "ok", "done": done}))
        ok = True
    except Exception as e:
        print(json.dumps({"hook": "failed", "error": str(e)}))
        ok = False
    report(event, ok)
    return {"ok": ok}


def pre_traffic(event, _context):
    env = os.environ

    def steps():
        migrated = invoke_json(env["MIGRATE_FUNCTION"], {})
        for warning in (migrated or {}).get("warnings", []):
            print(json.dumps({"migrate_warning": warning}))
        checked = check_version(env["PORTAL_FUNCTION"], env["PORTAL_VERSION"], env["DOMAIN_NAME"], env["STATIC_BUCKET"])
        return {"migrate": migrated, "new_version": checked}

    return run(event, steps)


def post_traffic(event, _context):
    env = os.environ
    return run(
        event,
        lambda: check_version(env["PORTAL_FUNCTION"], env["PORTAL_VERSION"], env["DOMAIN_NAME"], env["STATIC_BUCKET"]),
    )
