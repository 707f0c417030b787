"""Checks each environment of infra/samconfig.toml: the portal's connections at full concurrency
(2 pools x DbPoolSize x PortalReservedConcurrency, plus 4 for the jobs: ingest 2, migrate 1,
alerts 1, one connection each) must fit in the proxy's share (ProxyMaxConnectionsPercent) of the
instance's max_connections, which RDS sets to LEAST(DBInstanceClassMemory / 9531392, 5000).
DBInstanceClassMemory is the class's memory less what RDS keeps for itself, so the nominal memory
used here overstates it a little; the share left over covers the difference, the rotation
functions and a person's psql. Exit status 1 and one line per environment that does not fit."""

import sys
import tomllib

GIB = 1024**3
MEMORY = {  # nominal memory of the classes the template allows
    "db.t4g.micro": 1 * GIB,
    "db.t4g.small": 2 * GIB,
    "db.t4g.medium": 4 * GIB,
    "db.t4g.large": 8 * GIB,
    "db.m7g.large": 8 * GIB,
    "db.r7g.large": 16 * GIB,
}
JOBS = 4
DEFAULTS = {"DbInstanceClass": "db.t4g.micro", "DbPoolSize": "2", "PortalReservedConcurrency": "10", "ProxyMaxConnectionsPercent": "70"}


def main(path):
    with open(path, "rb") as f:
        config = tomllib.load(f)
    failures = 0
    for env, sections in config.items():
        deploy = sections.get("deploy", {}).get("parameters") if isinstance(sections, dict) else None
        if not deploy:
            continue
        overrides = deploy.get("parameter_overrides", [])
        if isinstance(overrides, str):
            overrides = overrides.split()
        params = dict(DEFAULTS)
        params.update(dict(o.split("=", 1) for o in overrides))
        cls = params["DbInstanceClass"]
        max_connections = min(MEMORY[cls] // 9531392, 5000)
        share = max_connections * int(params["ProxyMaxConnectionsPercent"]) // 100
        wanted = 2 * int(params["DbPoolSize"]) * int(params["PortalReservedConcurrency"]) + JOBS
        fits = wanted <= share
        print(
            "%s: %d connections at most (2 x %s x %s + %d) %s %d (%s%% of %s's %d)"
            % (env, wanted, params["DbPoolSize"], params["PortalReservedConcurrency"], JOBS,
               "<=" if fits else "> ", share, params["ProxyMaxConnectionsPercent"], cls, max_connections)
        )
        failures += not fits
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "infra/samconfig.toml"))
