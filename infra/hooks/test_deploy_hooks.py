"""Tests of the deploy hooks with stand-ins for Lambda, S3 and CodeDeploy (no AWS, no boto3):
python3 -m unittest discover -s infra/hooks (scripts/infra-lint.sh runs them)."""

import base64
import gzip
import io
import json
import os
import unittest

import deploy_hooks as hooks

HERE = os.path.dirname(os.path.abspath(__file__))


def login_page():
    # The sign-in page's <head> as the portal renders it with ASSET_ORIGIN set (captured from
    # the server: see login_head.html's comment).
    with open(os.path.join(HERE, "login_head.html"), encoding="utf-8") as f:
        return f.read()


class FakeLambda:
    def __init__(self, answers):
        self.answers = answers  # (function, qualifier, path or None) -> (payload dict, error?)
        self.calls = []

    def invoke(self, FunctionName, InvocationType, Payload, Qualifier=None):
        assert InvocationType == "RequestResponse"
        event = json.loads(Payload)
        path = event.get("rawPath")
        self.calls.append((FunctionName, Qualifier, path))
        payload, error = self.answers[(FunctionName, Qualifier, path)]
        out = {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(payload).encode())}
        if error:
            out["FunctionError"] = "Unhandled"
        return out


class FakeS3:
    def __init__(self, keys):
        self.keys = set(keys)

    def head_object(self, Bucket, Key):
        assert Bucket == "static-bucket"
        if Key not in self.keys:
            raise Exception("An error occurred (404) when calling the HeadObject operation: Not Found")
        return {}


class FakeCodeDeploy:
    def __init__(self):
        self.reports = []

    def put_lifecycle_event_hook_execution_status(self, deploymentId, lifecycleEventHookExecutionId, status):
        self.reports.append((deploymentId, lifecycleEventHookExecutionId, status))


def page(status, text, gzipped=False):
    if gzipped:
        return {
            "statusCode": status,
            "headers": {"content-encoding": "gzip", "content-type": "text/html"},
            "body": base64.b64encode(gzip.compress(text.encode())).decode(),
            "isBase64Encoded": True,
        }
    return {"statusCode": status, "headers": {"content-type": "text/html"}, "body": text, "isBase64Encoded": False}


EVENT = {"DeploymentId": "d-123", "LifecycleEventHookExecutionId": "exec-1"}
HEALTHY = page(200, json.dumps({"status": "ok", "database": "ok"}))


class HookTests(unittest.TestCase):
    def setUp(self):
        os.environ.update(
            {
                "MIGRATE_FUNCTION": "portal-dev-migrate",
                "PORTAL_FUNCTION": "portal-dev",
                "PORTAL_VERSION": "7",
                "DOMAIN_NAME": "portal.example",
                "STATIC_BUCKET": "static-bucket",
            }
        )
        self.html = login_page()
        self.keys = hooks.asset_keys(self.html)
        self.codedeploy = FakeCodeDeploy()

    def use(self, answers, s3_keys):
        self.fake_lambda = FakeLambda(answers)
        hooks._clients.clear()
        hooks._clients.update({"lambda": self.fake_lambda, "s3": FakeS3(s3_keys), "codedeploy": self.codedeploy})

    def answers(self, migrate=({"applied": [], "logins": [], "warnings": []}, False), health=HEALTHY, login=None):
        return {
            ("portal-dev-migrate", None, None): migrate,
            ("portal-dev", "7", "/healthz"): (health, False),
            ("portal-dev", "7", "/login"): (login or page(200, self.html, gzipped=True), False),
            ("portal-dev", "live", "/healthz"): (health, False),
            ("portal-dev", "live", "/login"): (login or page(200, self.html), False),
        }

    def test_the_page_names_its_client_its_wasm_and_its_stylesheet(self):
        self.assertEqual(
            [k.rsplit(".", 1)[-1] for k in self.keys].count("js"), 1, self.keys
        )
        self.assertTrue(any(k.endswith(".wasm") for k in self.keys), self.keys)
        self.assertTrue(any(k.endswith(".css") for k in self.keys), self.keys)
        self.assertTrue(all(k.startswith("pkg/") for k in self.keys), self.keys)

    def test_a_good_version_passes_after_migrating(self):
        self.use(self.answers(), self.keys)
        self.assertEqual(hooks.pre_traffic(EVENT, None), {"ok": True})
        self.assertEqual(self.codedeploy.reports, [("d-123", "exec-1", "Succeeded")])
        # Migrations first, then the new version itself (its number, not the live alias).
        self.assertEqual(
            self.fake_lambda.calls,
            [("portal-dev-migrate", None, None), ("portal-dev", "7", "/healthz"), ("portal-dev", "7", "/login")],
        )

    def test_a_failed_migration_stops_the_deploy(self):
        self.use(self.answers(migrate=({"errorMessage": "relation exists"}, True)), self.keys)
        self.assertEqual(hooks.pre_traffic(EVENT, None), {"ok": False})
        self.assertEqual(self.codedeploy.reports, [("d-123", "exec-1", "Failed")])
        self.assertEqual(len(self.fake_lambda.calls), 1, "the new version was not tried")

    def test_a_database_that_does_not_answer_fails(self):
        down = page(503, json.dumps({"status": "unavailable", "database": "unavailable"}))
        self.use(self.answers(health=down), self.keys)
        self.assertEqual(hooks.pre_traffic(EVENT, None), {"ok": False})
        self.assertEqual(self.codedeploy.reports[-1][2], "Failed")

    def test_static_files_missing_from_the_bucket_fail(self):
        self.use(self.answers(), [k for k in self.keys if not k.endswith(".wasm")])
        self.assertEqual(hooks.pre_traffic(EVENT, None), {"ok": False})

    def test_a_page_that_is_not_there_fails(self):
        self.use(self.answers(login=page(500, "oops")), self.keys)
        self.assertEqual(hooks.post_traffic(EVENT, None), {"ok": False})

    def test_post_traffic_checks_the_live_alias(self):
        os.environ["PORTAL_VERSION"] = "live"
        self.use(self.answers(), self.keys)
        self.assertEqual(hooks.post_traffic(EVENT, None), {"ok": True})
        self.assertEqual([c[1] for c in self.fake_lambda.calls], ["live", "live"])

    def test_the_event_is_an_http_api_event_for_the_portals_domain(self):
        e = hooks.http_event("/login?next=/sites", "portal.example")
        self.assertEqual((e["version"], e["rawPath"], e["rawQueryString"]), ("2.0", "/login", "next=/sites"))
        self.assertEqual(e["headers"]["host"], "portal.example")
        self.assertEqual(e["requestContext"]["http"]["method"], "GET")


if __name__ == "__main__":
    unittest.main()
