"""Release preflight and changes AWS already holds for the maintenance window (moto).

A protected stack applies RDS and ElastiCache changes at the maintenance window. Until then the
provider reads the old values back, so every `pulumi preview` shows the same update, although
AWS holds it as a pending modification: that must not block releases for days. moto does not
model pending modifications, so the describe answers get them added as RDS and ElastiCache
report them (`PendingModifiedValues`).
"""

from __future__ import annotations

from typing import Any

from ops.pulumi_step import PendingChange, parse_preview
from tests.ops.world import API_V2, WORKER_V2, World

INSTANCE = "aws:rds/instance:Instance"
CACHE = "aws:elasticache/replicationGroup:ReplicationGroup"
DB_URN = "urn:pulumi:staging::golive::golive:aws:Database$aws:rds/instance:Instance::db"
CACHE_URN = (
    "urn:pulumi:staging::golive::golive:aws:Cache"
    "$aws:elasticache/replicationGroup:ReplicationGroup::cache"
)


def resize(world: World, wanted: str) -> PendingChange:
    """The update `pulumi preview` shows while RDS holds an instance class change."""
    identifier = world.outputs["database"]["identifier"]
    return PendingChange(
        "update",
        INSTANCE,
        DB_URN,
        ("instanceClass",),
        current={"identifier": identifier, "instanceClass": "db.t4g.micro"},
        wanted={"identifier": identifier, "instanceClass": wanted},
    )


def rds_holds(world: World, pending: dict[str, Any]) -> None:
    def add(parsed: dict[str, Any], **_: Any) -> None:
        for instance in parsed.get("DBInstances", []):
            instance["PendingModifiedValues"] = dict(pending)

    world.session.hook("after-call.rds.DescribeDBInstances", add)


def test_a_change_aws_holds_for_the_window_does_not_block_a_release(world: World) -> None:
    assert world.pulumi is not None
    world.pulumi.pending = [resize(world, "db.t4g.small")]
    rds_holds(world, {"DBInstanceClass": "db.t4g.small"})

    result = world.cli("release", *world.stack_args("--image", "v2"))

    assert result.exit_code == 0, result.output
    assert "applied to AWS, waiting for the maintenance window" in result.output
    assert "no pending infrastructure change" in result.output
    world.assert_serving({"api": API_V2, "worker": WORKER_V2})
    world.assert_invariants()


def test_a_change_aws_does_not_hold_still_blocks_the_release(world: World) -> None:
    assert world.pulumi is not None
    # AWS holds db.t4g.small, the stack file now asks for db.t4g.medium: a new change.
    world.pulumi.pending = [resize(world, "db.t4g.medium")]
    rds_holds(world, {"DBInstanceClass": "db.t4g.small"})

    result = world.cli("release", *world.stack_args("--image", "v2"))

    assert result.exit_code == 3, result.output
    assert "1 pending infrastructure change(s)" in result.output
    assert world.count("rds", "CreateDBSnapshot") == 0


def test_a_change_of_a_key_aws_applies_at_once_still_blocks(world: World) -> None:
    assert world.pulumi is not None
    change = resize(world, "db.t4g.small")
    world.pulumi.pending = [
        PendingChange(
            "update", INSTANCE, DB_URN, ("instanceClass", "tags"), change.current, change.wanted
        )
    ]
    rds_holds(world, {"DBInstanceClass": "db.t4g.small"})

    result = world.cli("release", *world.stack_args("--image", "v2"))

    assert result.exit_code == 3, result.output


def test_a_cache_node_type_every_member_holds_does_not_block(world: World) -> None:
    assert world.pulumi is not None
    world.pulumi.pending = [
        PendingChange(
            "update",
            CACHE,
            CACHE_URN,
            ("nodeType",),
            current={"replicationGroupId": "auction-staging-cache", "nodeType": "cache.t4g.micro"},
            wanted={"nodeType": "cache.t4g.small"},
        )
    ]
    members = ["auction-staging-cache-001", "auction-staging-cache-002"]
    world.respond(
        "elasticache",
        "DescribeReplicationGroups",
        {
            "ReplicationGroups": [
                {"ReplicationGroupId": "auction-staging-cache", "MemberClusters": members}
            ]
        },
    )
    world.respond(
        "elasticache",
        "DescribeCacheClusters",
        {
            "CacheClusters": [
                {
                    "CacheClusterId": members[0],
                    "PendingModifiedValues": {"CacheNodeType": "cache.t4g.small"},
                }
            ]
        },
    )

    result = world.cli("release", *world.stack_args("--image", "v2"))

    assert result.exit_code == 0, result.output
    assert "waiting for the maintenance window" in result.output
    assert world.count("elasticache", "DescribeCacheClusters") == len(members)
    world.assert_invariants()


def test_preview_steps_carry_the_state_the_check_needs() -> None:
    [change] = parse_preview(
        {
            "steps": [
                {
                    "op": "update",
                    "urn": DB_URN,
                    "diffReasons": ["instanceClass"],
                    "oldState": {
                        "type": INSTANCE,
                        "id": "db-ABCDEFGHIJKLMNOP",
                        "outputs": {
                            "identifier": "auction-prod-db",
                            "instanceClass": "db.t4g.micro",
                        },
                    },
                    "newState": {"type": INSTANCE, "inputs": {"instanceClass": "db.t4g.small"}},
                }
            ]
        }
    )
    assert change.current["identifier"] == "auction-prod-db"
    assert change.wanted == {"instanceClass": "db.t4g.small"}
